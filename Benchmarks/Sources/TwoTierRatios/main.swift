// The two-tier backend against its parts, in interleaved rounds (see Benchmarks/README.md, "Two tiers"):
//
//   swift run -c release TwoTierRatios hit <redis-url> [rounds]
//       a memory hit through TwoTierBackend against a plain MemoryBackend hit, both through Cache.getBytes
//   swift run -c release TwoTierRatios mix <redis-url> [rounds] [seconds] [zipf|uniform]
//       95% reads / 5% writes, Zipf(0.99) over 10,000 keys, 100-byte values, 64 tasks: TwoTierBackend against
//       RedisBackend alone, operations per second. The writes' keys follow the same Zipf law as the reads' (the
//       default), or `uniform`: spread over all keys, so that no key changes hundreds of times a second.
import CacheLayer
import CacheLayerRedis
import HitRateLab

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: TwoTierRatios hit|mix <redis-url> [rounds] [seconds] [zipf|uniform]")
    exit(2)
}
let url = arguments[2]
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 7 : 7
let seconds = arguments.count > 4 ? Int(arguments[4]) ?? 3 : 3
let uniformWrites = arguments.count > 5 && arguments[5] == "uniform"

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func redisConfiguration(prefix: String) throws -> RedisBackend.Configuration {
    var configuration = try RedisBackend.Configuration(url: url)
    configuration.keyPrefix = prefix
    configuration.connectionCount = 4
    return configuration
}

func twoTier(prefix: String) throws -> TwoTierBackend {
    let backend = try TwoTierBackend(
        memory: MemoryBackend(byteBudget: 256 << 20),
        redis: RedisBackend(configuration: redisConfiguration(prefix: prefix)))
    while !backend.isTracking { usleep(10_000) }
    return backend
}

/// Nanoseconds per read of `reads` reads over `keys`, all hits.
func timeReads(_ cache: Cache, _ keys: [String], reads: Int) async throws -> Double {
    let start = now()
    var hits = 0
    for index in 0..<reads where try await cache.getBytes(keys[index % keys.count]) != nil {
        hits += 1
    }
    precondition(hits == reads, "expected only hits")
    return Double(now() - start) / Double(reads)
}

func measureHits() async throws {
    let keys = (0..<1000).map { "key-\($0)" }
    let value = [UInt8](repeating: 7, count: 100)
    let memory = try Cache(namespace: "bench", backend: MemoryBackend(byteBudget: 256 << 20))
    let backend = try twoTier(prefix: "bench-hit-\(getpid()):")
    let tiers = try Cache(namespace: "bench", backend: backend)
    for key in keys {
        try await memory.putBytes(key, value, ttl: .seconds(600))
        try await tiers.putBytes(key, value, ttl: .seconds(600))
        _ = try await tiers.getBytes(key)  // fills the memory tier
    }
    var plain: [Double] = []
    var twoTiers: [Double] = []
    var ratios: [Double] = []
    let reads = 2_000_000
    _ = try await timeReads(memory, keys, reads: reads / 4)
    _ = try await timeReads(tiers, keys, reads: reads / 4)
    for round in 0..<rounds {
        let (first, second) = round % 2 == 0 ? (memory, tiers) : (tiers, memory)
        let a = try await timeReads(first, keys, reads: reads)
        let b = try await timeReads(second, keys, reads: reads)
        let (memoryNanoseconds, tierNanoseconds) = round % 2 == 0 ? (a, b) : (b, a)
        plain.append(memoryNanoseconds)
        twoTiers.append(tierNanoseconds)
        ratios.append(tierNanoseconds / memoryNanoseconds)
    }
    print("memory hit through Cache.getBytes, \(rounds) rounds of \(reads) reads (median ns per read)")
    print("  MemoryBackend:  \(String(format: "%.1f", median(plain)))")
    print("  TwoTierBackend: \(String(format: "%.1f", median(twoTiers)))")
    print(
        "  ratio (per round, median and range): \(String(format: "%.3f", median(ratios))) [\(String(format: "%.3f", ratios.min()!))...\(String(format: "%.3f", ratios.max()!))]"
    )
    backend.shutdown()
}

/// A Zipf(s) sampler over `count` ranks.
struct Zipf: Sendable {
    let cumulative: [Double]
    init(count: Int, exponent: Double) {
        var total = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(count)
        for rank in 1...count {
            total += 1 / pow(Double(rank), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    func sample(_ random: inout some RandomNumberGenerator) -> Int {
        let target = Double.random(in: 0..<1, using: &random)
        var low = 0
        var high = self.cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if self.cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Operations per second of the 95/5 mix on `cache` for `seconds`, 64 tasks.
func runMix(_ cache: Cache, zipf: Zipf) async -> Double {
    let value = [UInt8](repeating: 1, count: 100)
    let stopAt = now() + UInt64(seconds) * 1_000_000_000
    let start = now()
    let operations = await withTaskGroup(of: Int.self) { group in
        for _ in 0..<64 {
            group.addTask {
                // Seeded once per task: the system generator is a getrandom call per number, which cost each
                // operation more than a memory hit and so understated the ratio.
                var random = SplitMix64(seed: UInt64.random(in: .min ... .max))
                var done = 0
                while done % 64 != 0 || now() < stopAt {
                    if Int.random(in: 0..<100, using: &random) < 5 {
                        let written =
                            uniformWrites
                            ? Int.random(in: 0..<zipf.cumulative.count, using: &random) : zipf.sample(&random)
                        try? await cache.putBytes("k\(written)", value, ttl: .seconds(600))
                    } else {
                        let key = "k\(zipf.sample(&random))"
                        if (try? await cache.getBytes(key)) ?? nil == nil {
                            try? await cache.putBytes(key, value, ttl: .seconds(600))
                        }
                    }
                    done += 1
                }
                return done
            }
        }
        return await group.reduce(0, +)
    }
    return Double(operations) / (Double(now() - start) / 1e9)
}

func measureMix() async throws {
    let zipf = Zipf(count: 10_000, exponent: 0.99)
    let prefix = "bench-mix-\(getpid()):"
    let redisOnly = try Cache(
        namespace: "mix", backend: RedisBackend(configuration: redisConfiguration(prefix: prefix)))
    let backend = try twoTier(prefix: prefix)
    let tiers = try Cache(namespace: "mix", backend: backend)
    let value = [UInt8](repeating: 1, count: 100)
    for index in 0..<10_000 {
        try await redisOnly.putBytes("k\(index)", value, ttl: .seconds(600))
    }
    var redis: [Double] = []
    var twoTiers: [Double] = []
    var ratios: [Double] = []
    for round in 0..<rounds {
        let first = round % 2 == 0
        let a = await runMix(first ? redisOnly : tiers, zipf: zipf)
        let b = await runMix(first ? tiers : redisOnly, zipf: zipf)
        let (redisRate, tierRate) = first ? (a, b) : (b, a)
        redis.append(redisRate)
        twoTiers.append(tierRate)
        ratios.append(tierRate / redisRate)
    }
    print(
        "95% reads / 5% writes (\(uniformWrites ? "spread evenly over the keys" : "Zipf, as the reads")), Zipf(0.99) over 10,000 keys, 100-byte values, 64 tasks, \(rounds) rounds of \(seconds) s"
    )
    print("  RedisBackend:   \(Int(median(redis))) ops/s")
    print("  TwoTierBackend: \(Int(median(twoTiers))) ops/s")
    print(
        "  ratio (per round, median and range): \(String(format: "%.2f", median(ratios))) [\(String(format: "%.2f", ratios.min()!))...\(String(format: "%.2f", ratios.max()!))]"
    )
    // What bounds the ratio: every read that memory did not answer, and every write, is a Redis round trip.
    let statistics = backend.memory.statistics
    let reads = statistics.hits + statistics.misses
    print(
        "  two tiers: memory answered \(String(format: "%.1f", 100 * Double(statistics.hits) / Double(max(reads, 1))))% of \(reads) reads; with 5% writes, \(String(format: "%.1f", 100 * (0.05 + 0.95 * Double(statistics.misses) / Double(max(reads, 1)))))% of operations went to Redis"
    )
    backend.shutdown()
}

switch arguments[1] {
case "hit": try await measureHits()
case "mix": try await measureMix()
default:
    print("unknown mode \(arguments[1])")
    exit(2)
}
exit(0)
