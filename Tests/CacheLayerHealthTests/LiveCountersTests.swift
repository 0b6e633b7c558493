import CacheLayer
import CacheLayerHealth
import CacheLayerTesting
import Testing

@Suite("Cache health monitor: CacheLayer's own counters")
struct LiveCountersTests {
    @Test func aRequestIdCreepingIntoTheKeyIsSeenInTheBoundariesOwnCounters() async throws {
        let clock = ManualCacheClock()
        let memory = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        let cache = try Cache(namespace: "pages", backend: memory)
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "order-items",
                path: "/admin/order-items",
                ttl: .seconds(3_600),
                pagination: PaginationBoundary(
                    commonFilters: ["status": ["open", "shipped", "lost", "new"]], unknownParameters: .includeInKey)
            )
        ])
        let monitor = CacheHealthMonitor(
            source: .counters(boundaries: boundaries, memoryTier: memory), clock: clock)
        func minute(requestIDs: Bool) async throws -> [CacheAnomaly] {
            for index in 0..<100 {
                var query = [(name: "status", value: ["open", "shipped", "lost", "new"][index % 4])]
                if index % 5 == 4 { query.append((name: "page", value: "2")) }
                if requestIDs { query.append((name: "rid", value: "\(clock.now())-\(index)")) }
                let decision = boundaries.decide(CacheRequest(path: "/admin/order-items", query: query))
                _ = try await cache.getOrLoad(for: decision) { [index] }
            }
            clock.advance(by: .seconds(60))
            return await monitor.check()
        }
        await monitor.check()
        for _ in 0..<20 {
            #expect(try await minute(requestIDs: false).isEmpty)
        }
        let anomalies = try await minute(requestIDs: true)
        #expect(anomalies.map(\.kind) == [AnomalyCause.keyCardinality])
        #expect(anomalies.first?.missRate == 1)
        #expect(abs((anomalies.first?.expectedMissRate ?? 0) - 0.2) < 0.01)
    }
}
