#if VaporSupport
import CacheLayer
import CacheLayerVapor
import Testing
import Vapor
import VaporTesting

/// The README's Vapor example, as written there, then exercised.
@Suite("README Vapor example")
struct ReadmeExampleTests {
    @Test func theExampleCachesPageOneAndServesVaporsCacheAPI() async throws {
        let cache = try CacheLayer.Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "order-items",
                path: "/admin/order-items",
                ttl: .seconds(60),
                pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]])
            )
        ])
        try await withApp { app in
            // --- README ---
            app.caches.use(.cacheLayer(cache))  // req.cache and app.cache: CacheLayer's tiers, spans and metrics
            app.middleware.use(TracingMiddleware())  // first, so that the cache's spans nest under the request's
            app.middleware.use(try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
            // --- end ---
            app.get("admin", "order-items") { _ in "items" }
            var statuses: [String?] = []
            for target in [
                "/admin/order-items?status=open", "/admin/order-items?status=open", "/admin/order-items?page=2",
            ] {
                try await app.testing().test(.GET, target) { response in
                    statuses.append(response.headers.first(name: "X-Cache"))
                }
            }
            #expect(statuses == ["MISS", "HIT", "BYPASS"])
            try await app.cache.set("greeting", to: "hello")
            #expect(try await cache.get("greeting", as: String.self) == "hello")
        }
    }
}
#endif
