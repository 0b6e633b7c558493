// The README's example, runnable: `swift run QuickStart`.
import CacheLayer

struct Product: Codable, Sendable { var id: Int; var name: String }

let cache = try Cache(namespace: "products", backend: MemoryBackend(byteBudget: 64 << 20))

/// Stands in for a database query that takes 200 ms.
func loadProduct(_ id: Int) async throws -> Product {
    try await Task.sleep(for: .milliseconds(200))
    return Product(id: id, name: "Widget \(id)")
}

// --- as in the README ---
let product = try await cache.getOrLoad(key: "product:42", ttl: .seconds(60)) {
    try await loadProduct(42)  // runs only on a miss; the result is stored for 60 s
}
try await cache.put("product:7", value: Product(id: 7, name: "Desk"), ttl: .seconds(30))
let cached = try await cache.get("product:7", as: Product.self)
// ---

print("loaded \(product.name); cached product 7: \(cached?.name ?? "none")")
for attempt in 1...3 {
    let start = ContinuousClock.now
    let again = try await cache.getOrLoad(key: "product:\(40 + attempt / 2)", ttl: .seconds(60)) {
        try await loadProduct(40 + attempt / 2)
    }
    let microseconds = (ContinuousClock.now - start) / .microseconds(1)
    print(
        "getOrLoad product:\(again.id) took \(Int(microseconds)) µs (\(microseconds > 100_000 ? "miss: loaded" : "hit"))"
    )
}
