import CacheLayer
import Testing

@testable import CacheLayerRedis

/// The two-tier backend over the test command's Redis Cluster: one invalidation connection per master, and a
/// change on any master evicts.
@Suite(
    "Two-tier on a cluster", .serialized,
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct TwoTierClusterTests {
    @Test func oneInvalidationConnectionPerMasterAndEvictionFromEach() async throws {
        let configuration = try RedisClusterTestServer.configuration()
        let backend = try TwoTierBackend(
            memory: try MemoryBackend(byteBudget: 1 << 20),
            cluster: try RedisClusterBackend(configuration: configuration))
        let writer = try RedisClusterBackend(configuration: configuration)
        let armed = await waitUntil(within: .seconds(10)) { backend.isTracking }
        try #require(armed)
        #expect(backend.tracking.listeners.count == 3)
        #expect(Set(backend.tracking.listeners.map(\.settings.address)).count == 3)

        // Keys on every master.
        let namespace = try CacheNamespace("tiers")
        let keys = (0..<30).map { CacheKey(namespace: namespace, key: "k\($0)") }
        for key in keys {
            try await writer.set(key, to: [1], ttl: .seconds(60))
            #expect(try await backend.get(key) == [1])
        }
        let before = backend.sink.keysReceived.load(ordering: .acquiring)
        for key in keys {
            try await writer.set(key, to: [2], ttl: .seconds(60))
        }
        let arrived = await waitUntil(within: .seconds(10)) {
            backend.sink.keysReceived.load(ordering: .acquiring) >= before + keys.count
        }
        #expect(arrived)
        for key in keys {
            #expect(try await backend.get(key) == [2])
        }
        backend.shutdown()
        writer.shutdown()
    }

    @Test func aBatchReadAcrossMastersFillsMemory() async throws {
        let configuration = try RedisClusterTestServer.configuration()
        let backend = try TwoTierBackend(
            memory: try MemoryBackend(byteBudget: 1 << 20),
            cluster: try RedisClusterBackend(configuration: configuration))
        let writer = try RedisClusterBackend(configuration: configuration)
        try #require(await waitUntil(within: .seconds(10)) { backend.isTracking })
        let namespace = try CacheNamespace("tiers-batch")
        let keys = (0..<30).map { CacheKey(namespace: namespace, key: "k\($0)") }
        let before = backend.sink.keysReceived.load(ordering: .acquiring)
        for (index, key) in keys.enumerated() where index % 3 != 0 {
            try await writer.set(key, to: [UInt8(index)], ttl: .seconds(60))
        }
        // Tracking is in BCAST mode, so the writes' own invalidations are on their way. One that arrives during
        // the batch read rightly keeps its key out of memory; wait for them all so the read's fills are the
        // only thing under test.
        let arrived = await waitUntil(within: .seconds(10)) {
            backend.sink.keysReceived.load(ordering: .acquiring) >= before + 20
        }
        try #require(arrived)
        let expected = keys.indices.map { $0 % 3 == 0 ? nil : [UInt8($0)] }
        #expect(try await backend.get(keys) == expected)
        for (key, value) in zip(keys, expected) {
            #expect((backend.memory.getWithoutSuspending(key) ?? nil) == value, "a batch read fills memory")
        }
        backend.shutdown()
        writer.shutdown()
    }
}
