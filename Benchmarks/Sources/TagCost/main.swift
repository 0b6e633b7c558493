// What tags and guarded loads cost, on the memory backend and on Redis, in one run and interleaved rounds:
// `swift run -c release TagCost [rounds]` with CACHELAYER_REDIS_URL set (Redis scenarios are skipped without it).
//
// Per round and backend: `reads` hits of an untagged entry and as many of a tagged one (ratio tagged/untagged per
// round), `loads` misses at the backend (get + beginLoad + finishLoad, what a read-through miss sends now) against
// as many get + set pairs (what it sent before), and the latency of invalidate(tags:) of a tag with 1 and with 100
// members. Prints medians over the rounds.
import CacheLayer
import CacheLayerRedis

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 21 : 21
let reads = 20_000
let redisReads = 2_000
let loads = 200

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// `value` with three decimals.
func fixed3(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

/// Median ns of each scenario over the rounds, and the per-round ratios asked for.
struct Results {
    var samples: [String: [Double]] = [:]
    mutating func add(_ name: String, _ value: Double) { self.samples[name, default: []].append(value) }
    func report(_ name: String) -> String {
        guard let values = self.samples[name] else { return "\(name): -" }
        return "\(name): median \(Int(median(values).rounded())) ns"
    }
    func ratio(_ a: String, _ b: String) -> String {
        guard let x = self.samples[a], let y = self.samples[b] else { return "" }
        let ratios = zip(x, y).map { $0 / $1 }
        return
            "\(a) / \(b): median ratio \(fixed3(median(ratios))) (range \(fixed3(ratios.min()!))...\(fixed3(ratios.max()!)))"
    }
}

func measure(_ label: String, on cache: Cache, readCount: Int, results: inout Results, round: Int) async throws {
    let clock = ContinuousClock()
    // Reads, untagged and tagged, in alternating order per round.
    let order = round % 2 == 0 ? ["untagged", "tagged"] : ["tagged", "untagged"]
    for kind in order {
        let start = clock.now
        for _ in 0..<readCount {
            guard try await cache.getBytes(kind) != nil else { fatalError("\(label): \(kind) missing") }
        }
        results.add("\(label) read \(kind)", nanoseconds(clock.now - start) / Double(readCount))
    }
    // Misses at the backend: get + beginLoad + finishLoad (guarded, what a read-through miss now sends) against
    // get + set (what it sent before), both storing 100 bytes under a fresh key.
    let backend = backends[label]!
    let loadOrder = round % 2 == 0 ? ["guarded", "plain"] : ["plain", "guarded"]
    let value = [UInt8](repeating: 1, count: 100)
    for kind in loadOrder {
        let start = clock.now
        for index in 0..<loads {
            let key = CacheKey(namespace: cache.namespace, key: "miss-\(kind)-\(round)-\(index)")
            guard try await backend.get(key) == nil else { fatalError("\(label): not a miss") }
            if kind == "guarded" {
                let token = try await backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(60))
                guard try await backend.finishLoad(of: key, storing: value, ttl: .seconds(60), token: token) else {
                    fatalError("\(label): refused")
                }
            } else {
                try await backend.set(key, to: value, ttl: .seconds(60))
            }
        }
        results.add("\(label) miss \(kind)", nanoseconds(clock.now - start) / Double(loads))
    }
    // Invalidation latency.
    for members in [1, 100] {
        let tag = "inv-\(members)-\(round)"
        for index in 0..<members {
            try await cache.putBytes("inv-\(members)-\(round)-\(index)", [1], ttl: .seconds(60), tags: [tag])
        }
        let start = clock.now
        try await cache.invalidate(tags: [tag])
        results.add("\(label) invalidate \(members) members", nanoseconds(clock.now - start))
    }
}

var targets: [(String, Cache, Int)] = []
let memoryBackend = try MemoryBackend(byteBudget: 256 << 20)
// nonisolated(unsafe): filled here, before the rounds start, and only read afterwards, from this one task.
nonisolated(unsafe) var backends: [String: any CacheBackend] = ["memory": memoryBackend]
let memory = try Cache(namespace: "tagcost", backend: memoryBackend)
targets.append(("memory", memory, reads))
var redisBackend: RedisBackend?
if let url = ProcessInfoLite.environment("CACHELAYER_REDIS_URL") {
    var configuration = try RedisBackend.Configuration(url: url)
    configuration.keyPrefix = "tagcost-\(UInt32.random(in: 0...UInt32.max)):"
    let backend = try RedisBackend(configuration: configuration)
    redisBackend = backend
    backends["redis"] = backend
    targets.append(("redis", try Cache(namespace: "tagcost", backend: backend), redisReads))
}
for (_, cache, _) in targets {
    try await cache.putBytes("untagged", [UInt8](repeating: 7, count: 100), ttl: .seconds(3_600))
    try await cache.putBytes("tagged", [UInt8](repeating: 7, count: 100), ttl: .seconds(3_600), tags: ["a", "b"])
}
/// Every round over every backend, in alternating order.
func runRounds(_ targets: [(String, Cache, Int)]) async throws -> Results {
    var results = Results()
    for round in 0..<rounds {
        for (label, cache, count) in round % 2 == 0 ? targets : targets.reversed() {
            try await measure(label, on: cache, readCount: count, results: &results, round: round)
        }
    }
    return results
}
let results = try await runRounds(targets)
print("TagCost: \(rounds) rounds")
for (label, _, _) in targets {
    for name in [
        "read untagged", "read tagged", "miss plain", "miss guarded", "invalidate 1 members", "invalidate 100 members",
    ] {
        print(results.report("\(label) \(name)"))
    }
    print(results.ratio("\(label) read tagged", "\(label) read untagged"))
    print(results.ratio("\(label) miss guarded", "\(label) miss plain"))
}
for (_, cache, _) in targets { try await cache.removeAll() }
redisBackend?.shutdown()

#if canImport(Glibc)
import Glibc
#endif

/// The environment without Foundation.
enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
