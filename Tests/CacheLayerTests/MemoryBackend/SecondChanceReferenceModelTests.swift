import CacheLayerTestSupport
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// The memory backend replays long seeded random sequences next to ``ReferenceSecondChance``, the naive model of its
/// eviction order; every result, the byte total and every counter must agree after every operation, and the budget
/// must hold after each.
@Suite("Memory backend against the reference model")
struct SecondChanceReferenceModelTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        var seed: UInt64
        var shards: Int
        var byteBudget: Int
        var maximumEntries: Int?
        var operations: Int
        var testDescription: String {
            "seed \(seed), \(shards) shard(s), \(byteBudget) B, entries \(maximumEntries.map(String.init) ?? "unbounded")"
        }
    }

    @Test(arguments: [
        Scenario(seed: 1, shards: 1, byteBudget: 24_000, maximumEntries: nil, operations: 120_000),
        Scenario(seed: 2, shards: 4, byteBudget: 48_000, maximumEntries: nil, operations: 120_000),
        Scenario(seed: 3, shards: 2, byteBudget: 40_000, maximumEntries: 30, operations: 60_000),
    ])
    func randomOperationsMatchTheModel(_ scenario: Scenario) async throws {
        let clock = ManualCacheClock()
        let backend = try MemoryBackend(
            configuration: .init(
                byteBudget: scenario.byteBudget,
                maximumEntries: scenario.maximumEntries,
                shardCount: scenario.shards,
                clock: clock
            )
        )
        #expect(backend.shardCount == scenario.shards)
        let shardBudget = scenario.byteBudget / scenario.shards
        let shardEntries = scenario.maximumEntries.map { $0 / scenario.shards } ?? Int.max
        var models = (0..<scenario.shards).map { _ in
            ReferenceSecondChance(byteBudget: shardBudget, entryLimit: shardEntries)
        }
        func shard(of key: CacheKey) -> Int { backend.shardIndex(for: HashedKey(key)) }

        var random = SeededGenerator(seed: scenario.seed)
        let namespaces = try [CacheNamespace("alpha"), CacheNamespace("beta")]
        let keys = (0..<400).map { i in CacheKey(namespace: namespaces[i % 2], key: "key-\(i)") }
        func randomValue() -> [UInt8] {
            // Mostly small values, sometimes one too large for a shard, to check it is refused.
            let count =
                Int.random(in: 0...10, using: &random) == 0 ? shardBudget : Int.random(in: 0...500, using: &random)
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        func randomTTL() -> Duration? {
            Bool.random(using: &random) ? nil : .milliseconds(Int.random(in: 1...200, using: &random))
        }

        for step in 0..<scenario.operations {
            let now = clock.nanosecondsNow()
            let key = keys.randomElement(using: &random)!
            let roll = Int.random(in: 0..<1000, using: &random)
            switch roll {
            case 0..<400:
                let actual = try await backend.get(key)
                let expected = models[shard(of: key)].get(key, now: now)
                try #require(actual == expected, "step \(step): get \(key)")
            case 400..<700:
                let value = randomValue()
                let ttl = randomTTL()
                let stored = models[shard(of: key)].set(key, value, ttlNanoseconds: ttl?.clampedNanoseconds, now: now)
                var refusal: CacheError.Code?
                do {
                    try await backend.set(key, to: value, ttl: ttl)
                } catch {
                    refusal = error.code
                }
                try #require(refusal == (stored ? nil : .valueTooLarge), "step \(step): set \(key)")
            case 700..<750:
                let value = randomValue()
                let ttl = randomTTL()
                let expected = models[shard(of: key)].setIfAbsent(
                    key, value, ttlNanoseconds: ttl?.clampedNanoseconds, now: now)
                let actual: Bool?
                do {
                    actual = try await backend.setIfAbsent(key, to: value, ttl: ttl)
                } catch {
                    try #require(error.code == .valueTooLarge, "step \(step): \(error)")
                    actual = nil
                }
                try #require(actual == expected, "step \(step): setIfAbsent \(key)")
            case 750..<830:
                let actual = try await backend.delete(key)
                try #require(actual == models[shard(of: key)].delete(key, now: now), "step \(step): delete \(key)")
            case 830..<870:
                // Half the time ask with the value the model holds, so owner-checked deletes also succeed.
                let held = models[shard(of: key)].entries.first { $0.key == key }?.value
                let expected = Bool.random(using: &random) ? (held ?? []) : [1, 2, 3]
                let actual = try await backend.delete(key, ifValueEquals: expected)
                try #require(
                    actual == models[shard(of: key)].delete(key, ifValueEquals: expected, now: now),
                    "step \(step): delete-if-equals \(key)"
                )
            case 870..<875:
                let namespace = namespaces.randomElement(using: &random)!
                try await backend.deleteAll(in: namespace)
                for index in models.indices { models[index].removeAll(in: namespace) }
            case 875..<900:
                let batch = (0..<Int.random(in: 0...6, using: &random)).map { _ in keys.randomElement(using: &random)! }
                let actual = try await backend.get(batch)
                let expected = batch.map { models[shard(of: $0)].get($0, now: now) }
                try #require(actual == expected, "step \(step): batch get")
            default:
                clock.advance(by: .milliseconds(Int.random(in: 0...40, using: &random)))
            }

            let statistics = backend.statistics
            try #require(statistics.bytes == models.reduce(0) { $0 + $1.bytes }, "step \(step): bytes")
            try #require(statistics.entries == models.reduce(0) { $0 + $1.entries.count }, "step \(step): entries")
            try #require(statistics.bytes <= scenario.byteBudget, "step \(step): budget")
            if step % 500 == 0 {
                try #require(backend.brokenInvariant() == nil, "step \(step)")
            }
            if step % 256 == 0 {
                await Task.yield()  // the backend never suspends; let other tests' tasks run
            }
        }

        let statistics = backend.statistics
        #expect(backend.brokenInvariant() == nil)
        #expect(statistics.hits == models.reduce(0) { $0 + $1.hits })
        #expect(statistics.misses == models.reduce(0) { $0 + $1.misses })
        #expect(statistics.evictions == models.reduce(0) { $0 + $1.evictions })
        #expect(statistics.expirations == models.reduce(0) { $0 + $1.expirations })
        // The sequence must have exercised every path, or the comparison proves little.
        #expect(statistics.hits > 1_000 && statistics.misses > 1_000)
        #expect(statistics.evictions > 100 && statistics.expirations > 100)
    }
}
