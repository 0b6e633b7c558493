import CacheLayerTestSupport
import Testing

@testable import CacheLayer

@Suite("Per-boundary statistics")
struct BoundaryStatisticsTests {
    func makeBoundaries() throws -> CacheBoundaries {
        try CacheBoundaries([CacheBoundariesTests.orderItems])
    }

    @Test func decisionsAreCountedByNameWithoutAMetricsFactory() throws {
        let boundaries = try self.makeBoundaries()
        _ = boundaries.decide(CacheRequest(path: "/admin/order-items"))
        _ = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "2")]))
        _ = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "status", value: "lost")]))
        _ = boundaries.decide(CacheRequest(path: "/elsewhere"))
        let statistics = boundaries.statistics()
        #expect(
            statistics["order-items"]?.decisions == ["cache": 1, "deep_page": 1, "uncommon_filter": 1])
        #expect(statistics["order-items"]?.bypasses == 2)
        #expect(statistics["none"]?.decisions == ["no_boundary": 1])
    }

    @Test func getOrLoadForADecisionCountsHitsMissesAndLatency() async throws {
        let boundaries = try self.makeBoundaries()
        let cache = try Cache(namespace: "pages", backend: try MemoryBackend(byteBudget: 1 << 20))
        let first = boundaries.decide(CacheRequest(path: "/admin/order-items"))
        _ = try await cache.getOrLoad(for: first) { [1] }
        let again = boundaries.decide(CacheRequest(path: "/admin/order-items"))
        _ = try await cache.getOrLoad(for: again) { [1] }
        let deep = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [(name: "page", value: "4")]))
        _ = try await cache.getOrLoad(for: deep) { [4] }

        let statistics = try #require(boundaries.statistics()["order-items"])
        #expect(statistics.hits == 1)
        #expect(statistics.misses == 1, "the bypass is timed with the misses but is not a cache miss")
        #expect(statistics.hitLatency.count == 1)
        #expect(statistics.missLatency.count == 2)
    }

    @Test func distinctKeysAreEstimatedCloselyAndRepeatsAreNotCounted() throws {
        let boundaries = try self.makeBoundaries()
        for _ in 0..<3 {
            for id in 0..<2_000 {
                // Each authority is part of the key: 2,000 distinct keys, each decided three times.
                _ = boundaries.decide(
                    CacheRequest(scheme: "https", authority: "tenant\(id).example", path: "/admin/order-items"))
            }
        }
        let estimate = try #require(boundaries.statistics()["order-items"]?.distinctKeys)
        #expect(abs(estimate - 2_000) < 100, "estimated \(estimate)")
    }

    @Test func latencyPercentilesFallInTheRightQuarterOctave() {
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(40), times: 95)
        histogram.record(.milliseconds(700), times: 5)
        let p95 = histogram.percentile(0.95) ?? .zero
        #expect(p95 >= .milliseconds(32) && p95 <= .milliseconds(50))
        let p99 = histogram.percentile(0.99) ?? .zero
        #expect(p99 >= .milliseconds(560) && p99 <= .milliseconds(875))
        var earlier = LatencyHistogram()
        earlier.record(.milliseconds(40), times: 95)
        #expect(histogram.subtracting(earlier).count == 5)
        #expect(LatencyHistogram().percentile(0.5) == nil)
        for value: UInt64 in [0, 1, 3, 4, 5, 7, 8, 1_000, 123_456_789, .max] {
            let (lower, upper) = LatencyHistogram.edges(ofBucket: LatencyHistogram.bucket(ofNanoseconds: value))
            #expect(lower <= value && (value < upper || upper == .max), "\(value) in [\(lower), \(upper))")
        }
    }
}
