import CacheLayer
import Synchronization

/// What a write of a key already held costs, against a `Mutex<[String: [UInt8]]>` baseline: the steady state of a
/// warm cache, with no eviction.
///
/// Each round writes `reads` keys (walking the suite's 10,000 keys, each with its own 100-byte value) in each
/// scenario, in an order that rotates from round to round: the baseline dictionary's subscript under its lock,
/// `MemoryBackend.set` called directly with prebuilt `CacheKey`s, and `Cache.putBytes` with nothing bootstrapped.
/// It prints each scenario's median ns per write over the rounds, and the median and range of its per-round ratio to
/// the baseline.
func measureOverwrites(_ options: Options) async throws {
    let (backend, cacheKeys) = try await Workload.filledBackend()
    let keys = (0..<Workload.keyCount).map(Workload.key)
    let values = (0..<Workload.keyCount).map(Workload.value)
    let cache = try Cache(namespace: "bench", backend: backend)
    let dictionary = Mutex<[String: [UInt8]]>(Dictionary(uniqueKeysWithValues: zip(keys, values).map { ($0, $1) }))

    // The baseline stays first: the ratios are taken to it.
    let all: [(name: String, run: (_ start: Int, _ count: Int) async throws -> Void)] = [
        (
            "Mutex<[String: [UInt8]]> write (baseline)",
            { start, count in
                for index in Workload.indices(from: start, count) {
                    dictionary.withLock { $0[keys[index]] = values[index] }
                }
            }
        ),
        (
            "MemoryBackend.set (direct)",
            { start, count in
                for index in Workload.indices(from: start, count) {
                    try await backend.set(cacheKeys[index], to: values[index], ttl: nil)
                }
            }
        ),
        (
            "Cache.putBytes, nothing bootstrapped",
            { start, count in
                for index in Workload.indices(from: start, count) {
                    try await cache.putBytes(keys[index], values[index], ttl: nil)
                }
            }
        ),
    ]
    let scenarios = all.enumerated().filter { $0.offset == 0 || options.only.map($0.element.name.contains) ?? true }
        .map(\.element)

    print("Overwrites: \(options.rounds) rounds x \(options.reads) writes per scenario, interleaved")
    let nanoseconds = try await interleavedRounds(options.rounds, scenarios: scenarios.count) { round, which in
        try await scenarios[which].run(round * options.reads % Workload.keyCount, options.reads)
        return options.reads
    }
    for (index, scenario) in scenarios.enumerated() {
        let ratios = zip(nanoseconds[index], nanoseconds[0]).map { $0 / $1 }
        print(
            "\(scenario.name): median \(format(median(nanoseconds[index]), 1)) ns/write; per-round ratio to the baseline: \(summary(ratios, 3))"
        )
    }
}
