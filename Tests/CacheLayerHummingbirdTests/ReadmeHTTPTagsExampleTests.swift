import CacheLayer
import CacheLayerHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The README's "HTTP tags" example, as written there, then exercised.
@Suite("README HTTP tags example")
struct ReadmeHTTPTagsExampleTests {
    @Test func aWriteInvalidatesItsStoresPages() async throws {
        let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
        let router = Router()
        // --- README ---
        let boundaries = try CacheBoundaries(
            [
                CacheEndpoint(
                    name: "store-orders", path: "/stores/:store/orders", ttl: .seconds(60),
                    tags: ["orders", "store:{store}", "list:{?status|all}"])
            ],
            invalidationRules: [
                CacheInvalidationRule(
                    name: "order-status", path: "/stores/:store/orders/:order", methods: ["PUT"],
                    tags: ["store:{store}"])
            ]
        )
        router.add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
        // --- end ---
        router.get("/stores/:store/orders") { _, _ in "orders" }
        router.put("/stores/:store/orders/:order") { _, _ in "changed" }
        try await Application(router: router).test(.router) { client in
            let xCache = HTTPField.Name("X-Cache")!
            _ = try await client.execute(uri: "/stores/7/orders", method: .get)
            _ = try await client.execute(uri: "/stores/8/orders", method: .get)
            #expect(try await client.execute(uri: "/stores/7/orders", method: .get).headers[xCache] == "HIT")
            let write = try await client.execute(uri: "/stores/7/orders/42", method: .put)
            #expect(write.status == .ok)
            #expect(try await client.execute(uri: "/stores/7/orders", method: .get).headers[xCache] == "MISS")
            #expect(try await client.execute(uri: "/stores/8/orders", method: .get).headers[xCache] == "HIT")
        }
    }
}
