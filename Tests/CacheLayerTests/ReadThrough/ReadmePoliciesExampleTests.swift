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
        let policy = LoadPolicy(
            lock: .init(lease: .seconds(10), maximumWait: .seconds(2)),  // one load across every process
            gracePeriod: .seconds(30),  // past the TTL, serve stale 30 s while one background load refreshes
            earlyRefresh: EarlyRefresh(beta: 1),  // refresh a hot entry before it expires (XFetch)
            maximumStaleAge: .seconds(3_600),  // stale if error: kept 1 h past the TTL for when the origin fails
            failSafeThrottle: .seconds(30),  // after a failure, serve stale 30 s before calling the origin again
            softTimeout: .milliseconds(200),  // stale value after 200 ms; the load finishes in the background
            hardTimeout: .seconds(2),  // cancel the load at 2 s: stale value, or CacheError `loaderTimeout`
            negativeTTL: .seconds(5)  // a loader's `nil` ("not found") is kept 5 s, its hits counted apart
        )
        let report = try await cache.getOrLoad(key: "report:today", ttl: .seconds(60), policy: policy) {
            try await buildReport()
        }
        // --- end ---
        #expect(report == Report(rows: 42))
    }
}
