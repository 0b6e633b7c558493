import CacheLayer
import Testing

/// The README's "Tags" example, as written there, then checked.
@Suite("README tags example")
struct ReadmeTagsExampleTests {
    struct Order: Codable, Sendable, Equatable { var status: String }

    @Test func theExampleInvalidatesBothEntries() async throws {
        let cache = try Cache(namespace: "orders", backend: MemoryBackend(byteBudget: 1 << 20))
        let order = Order(status: "open")
        @Sendable func load() async throws -> [Order] { [order] }
        // --- README ---
        try await cache.put("order:42", value: order, ttl: .seconds(300), tags: ["orders", "store:7"])
        let page = try await cache.getOrLoad(key: "orders?page=1", ttl: .seconds(60), tags: ["orders"]) {
            try await load()
        }
        try await cache.invalidate(tags: ["orders"])  // both are misses now, in every process
        // --- end ---
        #expect(page == [order])
        #expect(try await cache.get("order:42", as: Order.self) == nil)
        #expect(try await cache.get("orders?page=1", as: [Order].self) == nil)
    }
}
