/// The facade's cost over the memory backend, measured in interleaved rounds so that load from other work on a
/// shared machine hits every scenario alike: `swift run -c release --package-path Benchmarks FacadeOverhead`.
///
/// Each round times every scenario once (20,000 reads each, in an order that rotates from round to round) over
/// the same warm `MemoryBackend`: the workload of the benchmark suite (10,000 keys like `user:00001234`, 100-byte
/// values, a 64 MiB budget). It prints each scenario's median ns per read over the rounds, and the median and range
/// of the per-round ratios to the direct backend call. Options: `--rounds N` (101), `--reads N` (20000), and
/// `--only TEXT` to time just the scenarios whose name contains TEXT (for profiling one).
import CacheLayer
import Synchronization
import Tracing

/// One timed scenario: reads `count` keys starting at `start` and returns the hits.
struct Scenario {
    let name: String
    let run: (_ start: Int, _ count: Int) async throws -> Int
}

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else {
        return value
    }
    return parsed
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}

let rounds = option("--rounds", default: 101)
let readsPerRound = option("--reads", default: 20_000)
let only = CommandLine.arguments.firstIndex(of: "--only").flatMap { $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil }
let keyCount = 10_000
let keyStrings = (0..<keyCount).map { index -> String in
    let digits = String(index)
    return "user:" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
let values = (0..<keyCount).map { [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 100) }

let backend = try MemoryBackend(byteBudget: 64 << 20)
let namespace = try CacheNamespace("bench")
let cacheKeys = keyStrings.map { CacheKey(namespace: namespace, key: $0) }
let plainCache = try Cache(namespace: "bench", backend: backend)
let noOpTracerCache = try Cache(namespace: "bench", backend: backend, configuration: .init(tracer: NoOpTracer()))
for (key, value) in zip(keyStrings, values) {
    try await plainCache.putBytes(key, value)
}
let dictionary = Mutex<[String: [UInt8]]>(Dictionary(uniqueKeysWithValues: zip(keyStrings, values)))

let allScenarios = [
    Scenario(name: "MemoryBackend.get (direct)") { start, count in
        var hits = 0
        var index = start
        for _ in 0..<count {
            if try await backend.get(cacheKeys[index]) != nil { hits &+= 1 }
            index = index + 1 == keyCount ? 0 : index + 1
        }
        return hits
    },
    Scenario(name: "Cache.getBytes, nothing bootstrapped") { start, count in
        var hits = 0
        var index = start
        for _ in 0..<count {
            if try await plainCache.getBytes(keyStrings[index]) != nil { hits &+= 1 }
            index = index + 1 == keyCount ? 0 : index + 1
        }
        return hits
    },
    Scenario(name: "Cache.getBytes, tracer: NoOpTracer()") { start, count in
        var hits = 0
        var index = start
        for _ in 0..<count {
            if try await noOpTracerCache.getBytes(keyStrings[index]) != nil { hits &+= 1 }
            index = index + 1 == keyCount ? 0 : index + 1
        }
        return hits
    },
    Scenario(name: "Mutex<[String: [UInt8]]> get (baseline)") { start, count in
        var hits = 0
        var index = start
        for _ in 0..<count {
            if dictionary.withLock({ $0[keyStrings[index]] }) != nil { hits &+= 1 }
            index = index + 1 == keyCount ? 0 : index + 1
        }
        return hits
    },
]

// The direct call stays first: the ratios are taken to it.
let scenarios = allScenarios.enumerated().filter { $0.offset == 0 || only.map($0.element.name.contains) ?? true }.map(\.element)
print("FacadeOverhead: \(rounds) rounds x \(readsPerRound) reads per scenario, interleaved")
var nanoseconds = Array(repeating: [Double](), count: scenarios.count)
let clock = ContinuousClock()
var cursor = 0
for round in 0..<rounds {
    for offset in 0..<scenarios.count {
        let which = (round + offset) % scenarios.count
        let started = clock.now
        let hits = try await scenarios[which].run(cursor, readsPerRound)
        let elapsed = started.duration(to: clock.now)
        guard hits == readsPerRound else {
            fatalError("\(scenarios[which].name) found \(hits) of \(readsPerRound) keys")
        }
        let (seconds, attoseconds) = elapsed.components
        nanoseconds[which].append((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(readsPerRound))
    }
    cursor = (cursor + readsPerRound) % keyCount
}

let direct = nanoseconds[0]
for (index, scenario) in scenarios.enumerated() {
    let ratios = zip(nanoseconds[index], direct).map { $0 / $1 }
    let range = "\(format(ratios.min()!, 2))–\(format(ratios.max()!, 2))"
    print(
        "\(scenario.name): median \(format(median(nanoseconds[index]), 1)) ns/read; "
            + "per-round ratio to the direct call: median \(format(median(ratios), 3)) (range \(range))"
    )
}
