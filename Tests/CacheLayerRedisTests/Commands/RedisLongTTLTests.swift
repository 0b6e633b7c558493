import CacheLayer
import Testing

@testable import CacheLayerRedis

/// The Redis side of the long-TTL traps: a TTL longer than `Cache.maximumTTL` (`.seconds(Int64.max)`) with jitter,
/// a grace period or early refresh killed the process converting the TTL for `PX`. It is stored clamped.
@Suite("Redis long TTLs", .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisLongTTLTests {
    static let longest = Duration.seconds(Int64.max)

    /// Draws the top of the range every time: the jitter lengthens the TTL as much as it can.
    struct HighestDraw: CacheRandom {
        func nextUnit() -> Double { 0.999 }
    }

    func makeCache(jitter: TTLJitter = .none, policy: LoadPolicy = LoadPolicy()) throws -> (Cache, RedisBackend) {
        let backend = try RedisBackendFixture.backend()
        let cache = try Cache(
            namespace: "ttl",
            backend: backend,
            configuration: .init(ttlJitter: jitter, random: HighestDraw(), loadPolicy: policy)
        )
        return (cache, backend)
    }

    /// The remaining time to live Redis reports for `key` of namespace `ttl`, in milliseconds.
    func pttl(_ backend: RedisBackend, _ key: String) async throws -> Int64? {
        guard
            case .integer(let remaining) = try await backend.command(
                "PTTL", "\(backend.configuration.keyPrefix)ttl:\(key)")
        else {
            return nil
        }
        return Int64(remaining)
    }

    @Test func putBytesWithJitterAndTheLongestTTL() async throws {
        let (cache, backend) = try self.makeCache(jitter: .proportional(0.1))
        try await cache.putBytes("k", [1], ttl: Self.longest)
        #expect(try await cache.getBytes("k") == [1])
        let remaining = try #require(try await self.pttl(backend, "k"))
        // Stored for the longest TTL the cache stores, to the millisecond (less the time the two commands took).
        let longestMilliseconds = Int64(Cache.maximumTTL.components.seconds) * 1000
        #expect(remaining > longestMilliseconds - 60_000 && remaining <= longestMilliseconds, "PTTL \(remaining)")
        try await cache.removeAll()
    }

    @Test func getOrLoadWithAGracePeriodAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(30)))
        #expect(try await cache.getOrLoad(key: "g", ttl: Self.longest) { 7 } == 7)
        #expect(try await cache.getOrLoad(key: "g", ttl: Self.longest) { 8 } == 7)
        try await cache.removeAll()
    }

    @Test func getOrLoadWithEarlyRefreshAndTheLongestTTL() async throws {
        let (cache, _) = try self.makeCache(policy: LoadPolicy(earlyRefresh: EarlyRefresh(beta: 1)))
        #expect(try await cache.getOrLoad(key: "e", ttl: Self.longest) { 7 } == 7)
        #expect(try await cache.getOrLoad(key: "e", ttl: Self.longest) { 8 } == 7)
        try await cache.removeAll()
    }
}
