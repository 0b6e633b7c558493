import CacheLayer

struct Product: Codable, Sendable {
    var id: Int
    var name: String
}

// The README's example: an in-memory cache in front of a slow lookup.
let cache = try Cache(namespace: "products", backend: MemoryBackend(byteBudget: 64 << 20))

func loadProduct(_ id: Int) async throws -> Product {
    try await Task.sleep(for: .milliseconds(200))  // stands in for a database query
    return Product(id: id, name: "Widget \(id)")
}

for attempt in 1...3 {
    let start = ContinuousClock.now
    let product = try await cache.getOrLoad(key: "product:42", ttl: .seconds(60)) {
        try await loadProduct(42)
    }
    print("attempt \(attempt): \(product.name) in \(ContinuousClock.now - start)")
}
