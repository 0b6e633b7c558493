import CacheLayerTestSupport
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// The memory backend replays long seeded random sequences next to the naive model of its eviction policy
/// (``ReferenceWindowTinyLFU``, ``ReferenceS3FIFO`` or ``ReferenceSecondChance``); every result, the byte total and every counter must agree after
/// every operation, and the budget must hold after each.
@Suite("Memory backend against the reference model")
struct EvictionReferenceModelTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        var policy: MemoryBackend.EvictionPolicy
        var seed: UInt64
        var shards: Int
        var byteBudget: Int
        var maximumEntries: Int?
        var operations: Int
        var testDescription: String {
            "\(policy.rawValue), seed \(seed), \(shards) shard(s), \(byteBudget) B, entries \(maximumEntries.map(String.init) ?? "unbounded")"
        }
    }

    @Test(arguments: [
        Scenario(
            policy: .secondChance, seed: 1, shards: 1, byteBudget: 24_000, maximumEntries: nil, operations: 120_000),
        Scenario(
            policy: .secondChance, seed: 2, shards: 4, byteBudget: 48_000, maximumEntries: nil, operations: 120_000),
        Scenario(policy: .secondChance, seed: 3, shards: 2, byteBudget: 40_000, maximumEntries: 30, operations: 60_000),
        Scenario(policy: .s3FIFO, seed: 4, shards: 1, byteBudget: 24_000, maximumEntries: nil, operations: 120_000),
        Scenario(policy: .s3FIFO, seed: 5, shards: 4, byteBudget: 48_000, maximumEntries: nil, operations: 120_000),
        Scenario(policy: .s3FIFO, seed: 6, shards: 2, byteBudget: 40_000, maximumEntries: 30, operations: 60_000),
        Scenario(
            policy: .windowTinyLFU, seed: 11, shards: 1, byteBudget: 24_000, maximumEntries: nil, operations: 80_000),
        // A window of one or two entries.
        Scenario(
            policy: .windowTinyLFU, seed: 12, shards: 1, byteBudget: 44_000, maximumEntries: nil, operations: 80_000),
        Scenario(
            policy: .windowTinyLFU, seed: 13, shards: 4, byteBudget: 48_000, maximumEntries: nil, operations: 80_000),
        Scenario(
            policy: .windowTinyLFU, seed: 14, shards: 2, byteBudget: 40_000, maximumEntries: 30, operations: 60_000),
    ])
    func randomOperationsMatchTheModel(_ scenario: Scenario) async throws {
        let clock = ManualCacheClock()
        let backend = try MemoryBackend(
            configuration: .init(
                byteBudget: scenario.byteBudget,
                maximumEntries: scenario.maximumEntries,
                shardCount: scenario.shards,
                evictionPolicy: scenario.policy,
                clock: clock
            )
        )
        #expect(backend.shardCount == scenario.shards)
        let shardBudget = scenario.byteBudget / scenario.shards
        let shardEntries = scenario.maximumEntries.map { $0 / scenario.shards } ?? Int.max
        var models: [any ReferenceEvictionModel] = (0..<scenario.shards).map { _ in
            switch scenario.policy {
            case .secondChance: ReferenceSecondChance(byteBudget: shardBudget, entryLimit: shardEntries)
            case .s3FIFO: ReferenceS3FIFO(byteBudget: shardBudget, entryLimit: shardEntries)
            case .windowTinyLFU: ReferenceWindowTinyLFU(byteBudget: shardBudget, entryLimit: shardEntries)
            }
        }
        func shard(of key: CacheKey) -> Int { backend.shardIndex(for: key.hashValue) }

        var random = SeededGenerator(seed: scenario.seed)
        let namespaces = try [CacheNamespace("alpha"), CacheNamespace("beta")]
        let keys = (0..<400).map { i in CacheKey(namespace: namespaces[i % 2], key: "key-\(i)") }
        func randomValue() -> [UInt8] {
            // Mostly small values, sometimes one too large for a shard, to check it is refused.
            let count =
                Int.random(in: 0...10, using: &random) == 0 ? shardBudget : Int.random(in: 0...500, using: &random)
            // One random byte repeated: values still differ (for the owner-checked deletes), and a debug build
            // spends its time on the comparison rather than on drawing each byte.
            return [UInt8](repeating: UInt8.random(in: 0...255, using: &random), count: count)
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
                let held = models[shard(of: key)].heldValue(of: key)
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
            try #require(statistics.entries == models.reduce(0) { $0 + $1.entryCount }, "step \(step): entries")
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

    /// The queues, not just the results, follow the model: after every operation of a seeded random sequence on one
    /// shard, both queues (keys in order, with their access counters) are the model's, and so are S3-FIFO's ghost
    /// (live hashes, oldest first) and W-TinyLFU's sketch (the estimate of every key).
    @Test(arguments: [
        (MemoryBackend.EvictionPolicy.s3FIFO, UInt64(7)), (.s3FIFO, 8), (.windowTinyLFU, 9), (.windowTinyLFU, 10),
    ])
    func queuesMatchTheModel(policy: MemoryBackend.EvictionPolicy, seed: UInt64) async throws {
        let clock = ManualCacheClock()
        let byteBudget = policy == .windowTinyLFU ? 40_000 : 12_000  // a window of a few entries
        let backend = try MemoryBackend(
            configuration: .init(byteBudget: byteBudget, shardCount: 1, evictionPolicy: policy, clock: clock))
        var model: any QueueModel =
            policy == .windowTinyLFU
            ? ReferenceWindowTinyLFU(byteBudget: byteBudget, entryLimit: .max)
            : ReferenceS3FIFO(byteBudget: byteBudget, entryLimit: .max)
        var random = SeededGenerator(seed: seed)
        let namespace = try CacheNamespace("queues")
        // Skewed key choice, so some keys are read often enough to reach the main queue and others pass through.
        let keys = (0..<200).map { CacheKey(namespace: namespace, key: "k\($0)") }
        func pickKey() -> CacheKey {
            let bound = Int.random(in: 1...keys.count, using: &random)
            return keys[Int.random(in: 0..<bound, using: &random)]
        }
        var promotions = 0
        for step in 0..<20_000 {
            let now = clock.nanosecondsNow()
            let key = pickKey()
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<55:
                let actual = try await backend.get(key)
                try #require(actual == model.get(key, now: now), "step \(step): get")
                if actual == nil {
                    let value = [UInt8](repeating: 7, count: Int.random(in: 0...300, using: &random))
                    let ttl: Duration? = Int.random(in: 0..<10, using: &random) == 0 ? .milliseconds(50) : nil
                    _ = model.set(key, value, ttlNanoseconds: ttl?.clampedNanoseconds, now: now)
                    try await backend.set(key, to: value, ttl: ttl)
                }
            case 55..<85:
                let value = [UInt8](repeating: 9, count: Int.random(in: 0...300, using: &random))
                _ = model.set(key, value, ttlNanoseconds: nil, now: now)
                try await backend.set(key, to: value, ttl: nil)
            case 85..<95:
                let actual = try await backend.delete(key)
                try #require(actual == model.delete(key, now: now), "step \(step): delete")
            default:
                clock.advance(by: .milliseconds(Int.random(in: 0...20, using: &random)))
            }
            let (small, main, ghost, estimates) = backend.withExclusiveAccess(toShard: 0) { store in
                (
                    store.contents(of: .small), store.contents(of: .main), store.ghostHashes(),
                    keys.map { store.frequencyEstimate(of: $0) }
                )
            }
            let (modelSmall, modelMain) = (model.queues.small, model.queues.main)
            try #require(small.map(\.key) == modelSmall.map(\.key), "step \(step): small queue")
            try #require(small.map(\.accessCount) == modelSmall.map(\.count), "step \(step): small counters")
            try #require(main.map(\.key) == modelMain.map(\.key), "step \(step): main queue")
            try #require(main.map(\.accessCount) == modelMain.map(\.count), "step \(step): main counters")
            try #require(ghost == model.ghostHashes, "step \(step): ghost")
            try #require(estimates == keys.map(model.estimate), "step \(step): sketch")
            promotions = max(promotions, main.count)
            if step % 1000 == 0 {
                try #require(backend.brokenInvariant() == nil, "step \(step)")
                await Task.yield()
            }
        }
        // Both queues, and the ghost or the sketch, must have been used, or the comparison proves little.
        #expect(promotions > 5 && model.evictions > 100)
        #expect(policy == .windowTinyLFU ? keys.contains { model.estimate($0) > 1 } : !model.ghostHashes.isEmpty)
    }
}

/// What ``EvictionReferenceModelTests/queuesMatchTheModel(policy:seed:)`` compares besides the models' queues: what
/// each policy remembers of keys it no longer holds.
protocol QueueModel: TwoQueueReferenceModel {
    var ghostHashes: [Int] { get }
    func estimate(_ key: CacheKey) -> Int
}

extension ReferenceS3FIFO: QueueModel {
    /// S3-FIFO keeps no sketch: the store's is never fed.
    func estimate(_ key: CacheKey) -> Int { 0 }
}

extension ReferenceWindowTinyLFU: QueueModel {
    /// W-TinyLFU keeps no ghost.
    var ghostHashes: [Int] { [] }
    func estimate(_ key: CacheKey) -> Int { self.sketch.estimate(key.hashValue) }
}
