import Testing

import CacheLayer

/// The README's policies example, as written there, then run on the memory tier.
@Suite("README policies example")
struct ReadmePoliciesExampleTests {
    struct Report: Codable, Sendable, Equatable { var rows: Int }

    @Test func theExampleCompilesAndLoads() async throws {
        let cache = try Cache(namespace: "readme-policies", backend: MemoryBackend(byteBudget: 1 << 20))
        @Sendable func buildReport() async throws -> Report { Report(rows: 42) }
        // --- README ---
        let failSafe = LoadPolicy(
            maximumStaleAge: .seconds(3_600),  // keep entries 1 h past the TTL; serve them when the load fails
            failSafeThrottle: .seconds(30),  // then serve stale 30 s before calling the origin again
            softTimeout: .milliseconds(200),  // stale after 200 ms; the load goes on and stores its value
            hardTimeout: .seconds(2),  // cancel the load at 2 s: stale, or CacheError `loaderTimeout`
            negativeTTL: .seconds(5))  // keep a loader's nil ("not found") 5 s, its hits counted apart
        // Per HTTP boundary: a handler that throws or answers a 5xx gets the stored response (X-Cache: STALE).
        let items = CacheEndpoint(name: "items", path: "/items", ttl: .seconds(60), loadPolicy: failSafe)
        // --- end ---
        _ = try CacheBoundaries([items])
        let report = try await cache.getOrLoad(key: "report:today", ttl: .seconds(60), policy: failSafe) {
            try await buildReport()
        }
        #expect(report == Report(rows: 42))
    }
}
