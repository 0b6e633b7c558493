import CacheLayer
import Foundation
import Testing

@testable import CacheLayerRedis

/// Two processes, one backend: after `invalidate(tags:)` returns in this process, the other (`TagProbe`) reads no
/// invalidated entry, and a load it had in flight does not store. On one redis-server and on the test cluster.
enum TagProcessScenario {
    static func run(mode: String, urls: String, backend: any CacheBackend) async throws {
        let namespace = "probe-\(UUID().uuidString.prefix(8))"
        let cache = try Cache(namespace: namespace, backend: backend)
        let control = try CacheNamespace(namespace + "-control")
        try await cache.put("order:1", value: "old", ttl: .seconds(60), tags: ["orders"])

        let probe = try ChildProcess("TagProbe", [mode, urls, namespace, "order:1", "orders"])
        try await probe.waitForOutput(containing: "before=", timeout: .seconds(30))
        #expect(probe.output.contains("before=old"), "\(probe.output)")

        // Invalidated here; the other process's next read starts after this returned.
        try await cache.invalidate(tags: ["orders"])
        try await backend.set(CacheKey(namespace: control, key: "go1"), to: [1], ttl: .seconds(60))
        try await probe.waitForOutput(containing: "loading", timeout: .seconds(30))
        #expect(probe.output.contains("after-invalidate=miss"), "\(probe.output)")

        // The other process's load is in flight: invalidated here, it must not store.
        try await cache.invalidate(tags: ["orders"])
        try await backend.set(CacheKey(namespace: control, key: "go2"), to: [1], ttl: .seconds(60))
        let status = try await probe.wait(timeout: .seconds(30))
        #expect(status == 0, "\(probe.output)")
        #expect(probe.output.contains("load-returned=loaded-by-probe"), "\(probe.output)")
        #expect(probe.output.contains("after-load=miss"), "\(probe.output)")
        #expect(try await cache.get("order:1", as: String.self) == nil)
    }
}

@Suite(
    "Tags across processes on one Redis server",
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisTagProcessTests {
    @Test func noProcessReadsAnInvalidatedEntryOnceTheInvalidationReturned() async throws {
        let url = try #require(RedisTestServer.url)
        try await TagProcessScenario.run(
            mode: "single", urls: url, backend: RedisBackend(configuration: .init(url: url)))
    }
}

@Suite(
    "Tags across processes on the Redis Cluster",
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct RedisClusterTagProcessTests {
    @Test func noProcessReadsAnInvalidatedEntryOnceTheInvalidationReturned() async throws {
        let urls = try #require(RedisClusterTestServer.urls)
        try await TagProcessScenario.run(
            mode: "cluster", urls: urls, backend: RedisClusterBackend(configuration: .init(urlList: urls)))
    }
}
