import CacheLayer
import Synchronization
import Tracing

/// The facade's cost over the memory backend.
///
/// Each round times every scenario once (`reads` reads each, in an order that rotates from round to round) over the
/// same warm `MemoryBackend`: `MemoryBackend.get` called directly with prebuilt `CacheKey`s, `Cache.getBytes` with
/// nothing bootstrapped, `Cache.getBytes` with `tracer: NoOpTracer()`, the direct call plus the least a call-time
/// tracer lookup costs (``TracerLookupFloor``), and a `Mutex<[String: [UInt8]]>` baseline.
/// It prints each scenario's median ns per read over the rounds, and the median and range of its per-round ratio to
/// the direct call.
func measureFacadeOverhead(_ options: Options) async throws {
    let (backend, cacheKeys) = try await Workload.filledBackend()
    let keys = (0..<Workload.keyCount).map(Workload.key)
    let plainCache = try Cache(namespace: "bench", backend: backend)
    let noOpTracerCache = try Cache(namespace: "bench", backend: backend, configuration: .init(tracer: NoOpTracer()))
    let dictionary = Mutex<[String: [UInt8]]>(
        Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Workload.value($0)) }))

    // The direct call stays first: the ratios are taken to it. Each scenario is a plain loop: calling a closure per
    // read (as an earlier version of this benchmark did) added about 30 ns to every read and so understated every
    // ratio.
    let all: [(name: String, run: (_ start: Int, _ count: Int) async throws -> Int)] = [
        (
            "MemoryBackend.get (direct)",
            { start, count in
                var hits = 0
                for index in Workload.indices(from: start, count) where try await backend.get(cacheKeys[index]) != nil {
                    hits &+= 1
                }
                return hits
            }
        ),
        (
            "Cache.getBytes, nothing bootstrapped",
            { start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where try await plainCache.getBytes(keys[index]) != nil {
                    hits &+= 1
                }
                return hits
            }
        ),
        (
            "Cache.getBytes, tracer: NoOpTracer()",
            { start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where try await noOpTracerCache.getBytes(keys[index]) != nil {
                    hits &+= 1
                }
                return hits
            }
        ),
        (
            "direct call + InstrumentationSystem.instrument read (lookup floor)",
            { start, count in
                var hits = 0
                for index in Workload.indices(from: start, count) {
                    let noOp = TracerLookupFloor.globalInstrumentIsNoOp()
                    if try await backend.get(cacheKeys[index]) != nil && noOp { hits &+= 1 }
                }
                return hits
            }
        ),
        (
            "direct call + task-local read",
            { start, count in
                var hits = 0
                for index in Workload.indices(from: start, count) {
                    let unbound = TracerLookupFloor.taskLocalIsUnbound()
                    if try await backend.get(cacheKeys[index]) != nil && unbound { hits &+= 1 }
                }
                return hits
            }
        ),
        (
            "Mutex<[String: [UInt8]]> get (baseline)",
            { start, count in
                var hits = 0
                for index in Workload.indices(from: start, count) where dictionary.withLock({ $0[keys[index]] }) != nil
                {
                    hits &+= 1
                }
                return hits
            }
        ),
    ]
    let scenarios = all.enumerated().filter { $0.offset == 0 || options.only.map($0.element.name.contains) ?? true }
        .map(\.element)

    print("FacadeOverhead: \(options.rounds) rounds x \(options.reads) reads per scenario, interleaved")
    let nanoseconds = try await interleavedRounds(options.rounds, scenarios: scenarios.count) { round, which in
        let hits = try await scenarios[which].run(round * options.reads % Workload.keyCount, options.reads)
        precondition(hits == options.reads, "\(scenarios[which].name) found \(hits) of \(options.reads) keys")
        return options.reads
    }
    for (index, scenario) in scenarios.enumerated() {
        let ratios = zip(nanoseconds[index], nanoseconds[0]).map { $0 / $1 }
        print(
            "\(scenario.name): median \(format(median(nanoseconds[index]), 1)) ns/read; per-round ratio to the direct call: \(summary(ratios, 3))"
        )
    }
}
