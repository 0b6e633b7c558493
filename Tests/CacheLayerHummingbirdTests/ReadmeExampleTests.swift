import CacheLayer
import CacheLayerHummingbird
import Hummingbird
import HummingbirdTesting
import Testing

/// The README's Hummingbird example, as written there, then exercised.
@Suite("README Hummingbird example")
struct ReadmeExampleTests {
    @Test func theExampleCachesPageOneUnderTheKeyRule() async throws {
        // --- README ---
        let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
        let boundaries = try CacheBoundaries([
            CacheEndpoint(
                name: "order-items",
                path: "/admin/order-items",
                ttl: .seconds(60),
                pagination: PaginationBoundary(
                    highestCachedPage: 1,
                    commonFilters: ["status": ["open", "shipped"]],
                    parameterFolding: ["page": [.absentAs("1")]]  // the handler reads no page as page 1
                ),
                loadPolicy: LoadPolicy(
                    lock: .init(lease: .seconds(10), maximumWait: .seconds(2)), gracePeriod: .seconds(30))
            )
        ])
        let router = Router()
        router.add(middleware: TracingMiddleware())  // first, so that the cache's spans nest under the request's
        router.add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
        // --- end ---
        router.get("/admin/order-items") { _, _ in "items" }
        try await Application(router: router).test(.router) { client in
            let statuses = try await [
                client.execute(uri: "/admin/order-items?status=open", method: .get).headers[.init("X-Cache")!],
                client.execute(uri: "/admin/order-items?status=open", method: .get).headers[.init("X-Cache")!],
                client.execute(uri: "/admin/order-items?status=open&page=1", method: .get).headers[.init("X-Cache")!],
                client.execute(uri: "/admin/order-items?status=Open", method: .get).headers[.init("X-Cache")!],
                client.execute(uri: "/admin/order-items?page=2", method: .get).headers[.init("X-Cache")!],
            ]
            // No page is page 1 (declared); `Open` is not a common value (values are exact); page 2 is deep.
            #expect(statuses == ["MISS", "HIT", "HIT", "BYPASS", "BYPASS"])
        }
    }

    @Test func thePersistExampleRefusesASecondCreate() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        // --- README ---
        let store = try Cache(namespace: "persist", backend: backend, configuration: .init(failOpen: false))
        let persist = try CachePersistDriver(cache: store)
        try await persist.create(key: "session:1", value: ["user": 7], expires: .seconds(3600))  // or .duplicate
        // --- end ---
        await #expect(throws: PersistError.duplicate) { try await persist.create(key: "session:1", value: ["user": 8]) }
        #expect(try await persist.get(key: "session:1", as: [String: Int].self) == ["user": 7])
    }
}
