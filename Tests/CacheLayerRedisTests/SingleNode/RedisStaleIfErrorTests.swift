import CacheLayer
import CacheLayerTesting
import Testing

@testable import CacheLayerRedis

/// Stale if error on a real redis-server: Redis keeps the entry for the TTL plus `maximumStaleAge`, so a load that
/// fails after the TTL is answered with the stale value. Freshness runs on a manual clock; Redis's own expiry on
/// real time (the test reads `PTTL` rather than waiting).
@Suite(
    "Redis stale if error",
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh")
)
struct RedisStaleIfErrorTests {
    struct OriginDown: Error {}

    @Test func redisKeepsTheEntryForTheStaleAgeAndAFailedLoadGetsIt() async throws {
        let backend = try RedisBackendFixture.backend()
        defer { backend.shutdown() }
        let clock = ManualCacheClock(start: .seconds(1_000_000))
        let cache = try Cache(
            namespace: "stale",
            backend: backend,
            configuration: .init(
                loadPolicy: LoadPolicy(maximumStaleAge: .seconds(600)),
                freshnessClock: clock
            )
        )
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(60)) { 1 }
        guard
            case .integer(let remaining) = try await backend.command(
                "PTTL", "\(backend.configuration.keyPrefix)stale:report")
        else {
            Issue.record("PTTL did not return an integer")
            return
        }
        // The TTL plus the maximum stale age, less the few milliseconds since the write.
        #expect((600_000...660_000).contains(remaining), "PTTL \(remaining)")

        clock.advance(by: .seconds(120))
        let value = try await cache.getOrLoad(key: "report", ttl: .seconds(60)) { () async throws -> Int in
            throw OriginDown()
        }
        #expect(value == 1)
        clock.advance(by: .seconds(600))
        await #expect(throws: OriginDown.self) {
            try await cache.getOrLoad(key: "report", ttl: .seconds(60)) { () async throws -> Int in throw OriginDown() }
        }
    }
}
