// Tags: invalidate every entry that depends on something, in every process sharing the backend.
//
// Run it with `swift run Tags`.

// snippet.hide
import CacheLayer

struct Order: Codable, Sendable {
    var id: Int
    var status: String
}

/// Stands in for a database query.
func loadOrders() async throws -> [Order] {
    [Order(id: 42, status: "open")]
}

func tags() async throws {
    let cache = try Cache(namespace: "orders", backend: MemoryBackend(byteBudget: 16 << 20))
    let order = Order(id: 42, status: "shipped")
    // snippet.show
    // snippet.tags
    try await cache.put("order:42", value: order, ttl: .seconds(300), tags: ["orders", "store:7"])
    let page = try await cache.getOrLoad(key: "orders?page=1", ttl: .seconds(60), tags: ["orders"]) {
        try await loadOrders()
    }
    try await cache.invalidate(tags: ["orders"])  // both are misses now, in every process
    // snippet.end
    // snippet.hide
    let gone = try await cache.get("order:42", as: Order.self) == nil
    print("page had \(page.count) orders; order:42 after invalidation: \(gone ? "miss" : "still there")")
}

try await tags()
