import Testing

import CacheLayer

/// Boundaries decide a request and `getOrLoad(for:)` reads through under the decision's key.
@Suite("Read-through for a boundary decision")
struct ReadThroughForDecisionTests {
    struct OrderItem: Codable, Sendable, Equatable { var id: Int }

    func loadOrderItems(_ request: CacheRequest) async throws -> [OrderItem] { [OrderItem(id: 1)] }

    @Test func theExampleRunsAsWritten() async throws {
        let cache = try Cache(namespace: "orders", backend: MemoryBackend(byteBudget: 1 << 20))
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "order-items",
                path: "/admin/order-items",
                ttl: .seconds(60),
                pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]]),
                loadPolicy: LoadPolicy(
                    lock: .init(lease: .seconds(10), maximumWait: .seconds(2)), gracePeriod: .seconds(30))
            )
        ])
        let request = CacheRequest(path: "/admin/order-items", query: [("status", "open"), ("page", "1")])
        // Cached under "/admin/order-items?page=1&status=open"; page 2 bypasses.
        let decision = boundaries.decide(request)
        let items = try await cache.getOrLoad(for: decision) { try await loadOrderItems(request) }
        #expect(decision.key == "/admin/order-items?page=1&status=open")
        #expect(items == [OrderItem(id: 1)])
    }
}
