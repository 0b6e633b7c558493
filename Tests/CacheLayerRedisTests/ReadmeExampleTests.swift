import CacheLayer
import CacheLayerRedis
import Testing

/// The README's Redis example, compiled and run against the test server (the URL is the test server's).
@Suite(
    "README Redis example", .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct ReadmeExampleTests {
    @Test func readmeRedisExample() async throws {
        let url = try #require(RedisTestServer.url)
        // --- as in the README (with the test server's URL) ---
        var configuration = try RedisBackend.Configuration(url: url)
        configuration.keyPrefix = "myapp:"  // keys are myapp:<namespace>:<key>
        configuration.commandTimeout = .milliseconds(100)
        let cache = try Cache(namespace: "orders", backend: try RedisBackend(configuration: configuration))
        // ---
        try await cache.put("o:1", value: ["total": 12], ttl: .seconds(5))
        #expect(try await cache.get("o:1", as: [String: Int].self) == ["total": 12])
        try await cache.removeAll()
    }
}

/// The README's Redis Cluster example, compiled and run against the test cluster.
@Suite(
    "README Redis Cluster example",
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct ReadmeClusterExampleTests {
    struct Cart: Codable, Equatable { var items: [String] }

    @Test func readmeRedisClusterExample() async throws {
        let urls = try #require(RedisClusterTestServer.urls)
        let cart = Cart(items: ["desk"])
        // --- as in the README (with the test cluster's URLs) ---
        var configuration = try RedisClusterBackend.Configuration(urlList: urls)
        configuration.keyPrefix = "myapp:"  // keys are myapp:<namespace>:<key>; no braces here
        let cache = try Cache(namespace: "orders", backend: try RedisClusterBackend(configuration: configuration))
        try await cache.put("{customer:7}:cart", value: cart)  // keys with the same {tag} share a hash slot
        // ---
        #expect(try await cache.get("{customer:7}:cart", as: Cart.self) == cart)
        try await cache.removeAll()
        #expect(try await cache.get("{customer:7}:cart", as: Cart.self) == nil)
    }
}
