import Testing

@testable import CacheLayer
import CacheLayerTesting

@Suite("Memory backend")
struct MemoryBackendTests {
    let namespace = try! CacheNamespace("test")

    func key(_ name: String) -> CacheKey { CacheKey(namespace: self.namespace, key: name) }

    @Test func valueLargerThanTheBudgetIsRefusedAndNothingIsEvicted() async throws {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 4_096, shardCount: 1))
        try await backend.set(self.key("small"), to: [1, 2, 3], ttl: nil)
        try await backend.set(self.key("big"), to: [9], ttl: nil)

        let error = await #expect(throws: CacheError.self) {
            try await backend.set(self.key("big"), to: [UInt8](repeating: 0, count: 4_096), ttl: nil)
        }
        #expect(error?.code == .valueTooLarge)
        // Nothing was evicted for it, and the previous value of the same key is still there.
        #expect(try await backend.get(self.key("small")) == [1, 2, 3])
        #expect(try await backend.get(self.key("big")) == [9])
        #expect(backend.statistics.evictions == 0)
    }

    @Test func secondChanceEvictsTheLeastRecentlyUsedFirst() async throws {
        let valueSize = 100
        let entryCost = MemoryBackend.cost(of: self.key("k0"), valueCount: valueSize)
        let backend = try MemoryBackend(
            configuration: .init(byteBudget: entryCost * 3, shardCount: 1, evictionPolicy: .secondChance))
        let value = [UInt8](repeating: 7, count: valueSize)
        for name in ["k0", "k1", "k2"] {
            try await backend.set(self.key(name), to: value, ttl: nil)
        }
        _ = try await backend.get(self.key("k0"))  // k1 is now the least recently used
        try await backend.set(self.key("k3"), to: value, ttl: nil)

        #expect(try await backend.get(self.key("k1")) == nil)
        #expect(try await backend.get(self.key("k0")) != nil)
        #expect(try await backend.get(self.key("k2")) != nil)
        #expect(try await backend.get(self.key("k3")) != nil)
        #expect(backend.statistics.evictions == 1)
        #expect(backend.statistics.bytes == entryCost * 3)
    }

    @Test func windowTinyLFUIsTheDefault() throws {
        #expect(MemoryBackend.Configuration(byteBudget: 1 << 20).evictionPolicy == .windowTinyLFU)
    }

    /// A key read a few times survives a scan of keys read once, however long, under W-TinyLFU and S3-FIFO; under
    /// second chance the same scan pushes it out.
    @Test(arguments: MemoryBackend.EvictionPolicy.allCases)
    func frequentKeysSurviveAScanUnlessUnderSecondChance(_ policy: MemoryBackend.EvictionPolicy) async throws {
        let value = [UInt8](repeating: 1, count: 100)
        let entryCost = MemoryBackend.cost(of: self.key("scan-0000"), valueCount: value.count)
        let backend = try MemoryBackend(
            configuration: .init(byteBudget: entryCost * 20, shardCount: 1, evictionPolicy: policy))
        for name in ["hot-0000", "hot-0001"] {
            try await backend.set(self.key(name), to: value, ttl: nil)
            for _ in 0..<3 { _ = try await backend.get(self.key(name)) }
        }
        for index in 0..<200 {
            let name = "scan-" + String(repeating: "0", count: 4 - String(index).count) + String(index)
            try await backend.set(self.key(name), to: value, ttl: nil)
        }
        let survivors = try await [backend.get(self.key("hot-0000")), backend.get(self.key("hot-0001"))]
        #expect(survivors.allSatisfy { $0 != nil } == (policy != .secondChance))
        #expect(backend.brokenInvariant() == nil)
    }

    @Test func entryCountLimitHolds() async throws {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, maximumEntries: 10, shardCount: 1))
        for index in 0..<25 {
            try await backend.set(self.key("k\(index)"), to: [UInt8(index)], ttl: nil)
        }
        #expect(backend.statistics.entries == 10)
        #expect(backend.statistics.evictions == 15)
        #expect(try await backend.get(self.key("k24")) == [24])
        #expect(try await backend.get(self.key("k14")) == nil)
    }

    @Test func expiredEntriesAreNeverReturned() async throws {
        let clock = ManualCacheClock()
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        try await backend.set(self.key("short"), to: [1], ttl: .seconds(1))
        try await backend.set(self.key("forever"), to: [2], ttl: nil)

        clock.advance(by: .milliseconds(999))
        #expect(try await backend.get(self.key("short")) == [1])
        clock.advance(by: .milliseconds(1))
        #expect(try await backend.get(self.key("short")) == nil)
        #expect(try await backend.get(self.key("forever")) == [2])
        #expect(backend.statistics.expirations == 1)
        #expect(backend.statistics.entries == 1)
    }

    @Test func setIfAbsentWritesOnlyWhenNoLiveValue() async throws {
        let clock = ManualCacheClock()
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        #expect(try await backend.setIfAbsent(self.key("lock"), to: [1], ttl: .seconds(5)))
        #expect(try await !backend.setIfAbsent(self.key("lock"), to: [2], ttl: .seconds(5)))
        #expect(try await backend.get(self.key("lock")) == [1])
        clock.advance(by: .seconds(5))
        #expect(try await backend.setIfAbsent(self.key("lock"), to: [3], ttl: .seconds(5)))
        #expect(try await backend.get(self.key("lock")) == [3])
    }

    @Test func ownerCheckedDeleteRemovesOnlyTheExpectedValue() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        try await backend.set(self.key("lock"), to: Array("owner-a".utf8), ttl: nil)
        #expect(try await !backend.delete(self.key("lock"), ifValueEquals: Array("owner-b".utf8)))
        #expect(try await backend.get(self.key("lock")) == Array("owner-a".utf8))
        #expect(try await backend.delete(self.key("lock"), ifValueEquals: Array("owner-a".utf8)))
        #expect(try await backend.get(self.key("lock")) == nil)
    }

    @Test func deleteAllRemovesOnlyItsNamespace() async throws {
        let backend = try MemoryBackend(byteBudget: 16 << 20)
        let other = try CacheNamespace("other")
        for index in 0..<200 {
            try await backend.set(self.key("k\(index)"), to: [1], ttl: nil)
            try await backend.set(CacheKey(namespace: other, key: "k\(index)"), to: [2], ttl: nil)
        }
        try await backend.deleteAll(in: self.namespace)
        #expect(backend.statistics.entries == 200)
        #expect(try await backend.get(self.key("k7")) == nil)
        #expect(try await backend.get(CacheKey(namespace: other, key: "k7")) == [2])
        #expect(backend.brokenInvariant() == nil)
    }

    @Test func sameKeyInTwoNamespacesAreTwoEntries() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        // "a" + "b:c" and "a:b" + "c" would collide if flattened naively; namespaces cannot contain ':'.
        #expect(throws: CacheError.self) { try CacheNamespace("a:b") }
        let a = try CacheNamespace("a")
        let ab = try CacheNamespace("ab")
        try await backend.set(CacheKey(namespace: a, key: "bc"), to: [1], ttl: nil)
        try await backend.set(CacheKey(namespace: ab, key: "c"), to: [2], ttl: nil)
        #expect(try await backend.get(CacheKey(namespace: a, key: "bc")) == [1])
        #expect(try await backend.get(CacheKey(namespace: ab, key: "c")) == [2])
    }

    @Test func badConfigurationIsATypedError() {
        for configuration in [
            MemoryBackend.Configuration(byteBudget: 0),
            MemoryBackend.Configuration(byteBudget: 1 << 20, maximumEntries: 0),
            MemoryBackend.Configuration(byteBudget: 1 << 20, shardCount: -1),
        ] {
            let error = #expect(throws: CacheError.self) { try MemoryBackend(configuration: configuration) }
            #expect(error?.code == .invalidConfiguration)
        }
    }

    @Test func shardCountIsAPowerOfTwoWithinTheLimits() {
        #expect(MemoryBackend.shardCount(for: .init(byteBudget: 256 << 20)) == 16)
        #expect(MemoryBackend.shardCount(for: .init(byteBudget: 3 << 20)) == 2)
        #expect(MemoryBackend.shardCount(for: .init(byteBudget: 1_000)) == 1)
        #expect(MemoryBackend.shardCount(for: .init(byteBudget: 1 << 30, shardCount: 12)) == 8)
        #expect(MemoryBackend.shardCount(for: .init(byteBudget: 1 << 30, maximumEntries: 3, shardCount: 8)) == 2)
    }

    @Test func statisticsCountHitsAndMisses() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        try await backend.set(self.key("a"), to: [1], ttl: nil)
        _ = try await backend.get(self.key("a"))
        _ = try await backend.get(self.key("a"))
        _ = try await backend.get(self.key("b"))
        let statistics = backend.statistics
        #expect(statistics.hits == 2)
        #expect(statistics.misses == 1)
        #expect(statistics.entries == 1)
        #expect(statistics.bytes == MemoryBackend.cost(of: self.key("a"), valueCount: 1))
    }
}
