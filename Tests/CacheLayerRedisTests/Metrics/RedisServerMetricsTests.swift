import CacheLayer
import MetricsTestKit
import Testing

@testable import CacheLayerRedis

@Suite(
    "Redis server gauges", .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisServerMetricsTests {
    @Test func pollExportsMemoryAndEvictionFigures() async throws {
        let server = try RedisServerProcess(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"])
        let backend = try RedisBackend(url: server.url)
        let cache = try Cache(namespace: "gauges", backend: backend)
        try await cache.putBytes("k", [UInt8](repeating: 7, count: 4_096))
        _ = try await cache.getBytes("k")
        _ = try await cache.getBytes("missing")

        let metrics = TestMetrics()
        let service = RedisServerMetrics(backend: backend, metricsFactory: metrics)
        #expect(service.latest == nil, "nothing read before the first poll")
        await service.poll()
        let latest = try #require(service.latest)
        #expect(latest.maxMemory == Int64(64 << 20))
        #expect(latest.evictedKeys == 0)
        #expect(latest.keyspaceHits == 1 && latest.keyspaceMisses == 1)
        #expect((latest.usedMemory ?? 0) > 4_096)

        let dimensions = [("server", "127.0.0.1:\(server.port)")]
        let used = try metrics.expectGauge("redis.memory.used", dimensions).lastValue ?? 0
        #expect(used > 4_096)
        #expect(try metrics.expectGauge("redis.memory.max", dimensions).lastValue == Double(64 << 20))
        #expect(try metrics.expectGauge("redis.keys.evicted", dimensions).lastValue == 0)
        #expect(try metrics.expectGauge("redis.keyspace.hits", dimensions).lastValue == 1)
        #expect(try metrics.expectGauge("redis.keyspace.misses", dimensions).lastValue == 1)
    }

    @Test func runPollsUntilCancelled() async throws {
        let backend = try RedisBackendFixture.backend()
        let metrics = TestMetrics()
        let service = RedisServerMetrics(backend: backend, interval: .milliseconds(20), metricsFactory: metrics)
        let address = try RedisTestServer.address()
        let dimensions = [("server", "\(address.host):\(address.port)")]
        func polls() -> Int { (try? metrics.expectGauge("redis.memory.used", dimensions).values.count) ?? 0 }
        let running = Task { try await service.run() }
        // Polls keep coming while it runs (waited for, not slept for: a loaded machine can be slow to start it).
        let polledTwice = await waitUntil(within: .seconds(10)) { polls() >= 2 }
        #expect(polledTwice)
        // Cancelling ends it: `run` returns rather than polling on.
        running.cancel()
        try await running.value
    }

    @Test func infoParsing() {
        let fields = RedisServerMetrics.parseInfo(
            "# Memory\r\nused_memory:1024\r\nused_memory_human:1.00K\r\nmaxmemory:0\r\n")
        #expect(fields == ["used_memory": 1024, "maxmemory": 0])
    }
}
