import CacheLayer
import Testing

@testable import CacheLayerRedis

/// Which connection of the pool a call goes to.
@Suite(
    "Redis connection affinity", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisConnectionAffinityTests {
    /// One task awaiting one call after another keeps to the first connection (its thread is the one still awake
    /// from the last reply), instead of alternating between the pool's connections.
    @Test func aSequentialCallerKeepsToOneConnection() async throws {
        let server = try RedisServerProcess()
        let log = HookEventLog()
        var configuration = try RedisBackend.Configuration(url: server.url)
        configuration.connectionCount = 2
        configuration.testHooks = ConnectionTestHooks { point in
            log.record(point)
            return .proceed
        }
        let backend = try RedisBackend(configuration: configuration)
        defer { backend.shutdown() }
        let namespace = try CacheNamespace("affinity")
        for index in 0..<20 {
            try await backend.set(CacheKey(namespace: namespace, key: "k\(index)"), to: [UInt8(index)], ttl: nil)
        }
        let batches = log.all.compactMap { entry -> Int? in
            if case .flushed = entry.event { entry.connection } else { nil }
        }
        #expect(batches.count == 20)
        #expect(batches.allSatisfy { $0 == 0 }, "batches per connection: \(batches)")
    }
}
