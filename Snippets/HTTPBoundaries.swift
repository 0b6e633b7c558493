// Cache boundaries: which requests of which endpoints are cached, under which key, for how long and with which
// stampede protection; the same boundaries from a file; and the Hummingbird response-cache middleware that applies
// them to HTTP responses.
//
// Run it with `swift run HTTPBoundaries` (it decides a few requests; it starts no server).

// snippet.hide
import CacheLayer
import CacheLayerHummingbird
import CacheLayerYAML
import HTTPTypes
import Hummingbird

struct OrderItems: Codable, Sendable {
    var rows: [String]
}

/// Stands in for the endpoint's query.
func loadOrderItems(_ request: CacheRequest) async throws -> OrderItems {
    OrderItems(rows: ["order 1, item 1"])
}

func makeBoundaries() throws -> CacheBoundaries {
    // snippet.show
    // snippet.boundaries
    let boundaries = try CacheBoundaries([
        CacheEndpoint(
            name: "order-items",
            path: "/admin/order-items",
            ttl: .seconds(60),
            pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]]),
            loadPolicy: LoadPolicy(
                lock: LoadPolicy.Lock(lease: .seconds(10), maximumWait: .seconds(2)),
                gracePeriod: .seconds(30)
            ),
            varyHeaders: ["Accept-Language"]
        ),
        CacheEndpoint(name: "product", path: "/products/:id", ttl: .seconds(300)),
        CacheEndpoint(name: "my-orders", path: "/me/orders", ttl: .seconds(30), scope: .perUser),
    ])
    // snippet.end
    // snippet.hide
    return boundaries
}

func decide(_ boundaries: CacheBoundaries, _ cache: Cache) async throws {
    // snippet.show
    // snippet.decide
    let request = CacheRequest(
        path: "/admin/order-items",
        query: [("status", "open")],
        headers: [("Accept-Language", "en")]
    )
    let decision = boundaries.decide(request)  // counted in cache.boundary_decisions
    switch decision.outcome {
    case .cache(let key): print("read through the cache under \(key)")
    case .bypass(let reason): print("straight to the origin: \(reason.name)")
    }
    // Reads through under the decision's key with the endpoint's TTL and policy; a bypass just runs the loader.
    let items = try await cache.getOrLoad(for: decision) { try await loadOrderItems(request) }
    // snippet.end
    // snippet.hide
    print("\(items.rows.count) rows")
    // snippet.show

    // snippet.bypass
    let deep = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [("page", "2")]))
    // deep.bypassReason == .deepPage: only page 1 is cached
    let rare = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [("status", "archived")]))
    // rare.bypassReason == .uncommonFilter
    let signedIn = boundaries.decide(CacheRequest(path: "/products/7", headers: [("Authorization", "Bearer abc")]))
    // signedIn.bypassReason == .personalised: a shared endpoint never answers a request carrying an identity
    // snippet.end
    // snippet.hide
    print(deep.name, rare.name, signedIn.name)
}

func fromFiles() throws {
    // snippet.show
    // snippet.json
    let json = """
        {"endpoints": [{
          "name": "order-items", "path": "/admin/order-items", "ttl": "60s",
          "pagination": {"highest_cached_page": 1, "common_filters": {"status": ["open", "shipped"]}},
          "stampede": {"lock": {"lease": "10s", "maximum_wait": "2s"}},
          "grace": "30s"
        }]}
        """
    let fromJSON = try CacheBoundaries(json: Array(json.utf8))
    // snippet.end

    // snippet.yaml
    let yaml = """
        endpoints:
          - name: order-items
            path: /admin/order-items
            ttl: 60s
            pagination:
              highest_cached_page: 1
              common_filters: { status: [open, shipped] }
        """
    let fromYAML = try CacheBoundaries(yaml: yaml)  // product CacheLayerYAML
    // snippet.end

    // snippet.file-error
    do throws(CacheError) {
        _ = try CacheBoundaries(json: Array(#"{"endpoints": [{"name": "a", "path": "/a", "tll": "60s"}]}"#.utf8))
    } catch {
        print(error.message)  // names the field at fault: the misspelt tll
    }
    // snippet.end
    // snippet.hide
    print(fromJSON.endpoints.count, fromYAML.endpoints.count)
}

func middleware(_ boundaries: CacheBoundaries) throws {
    // snippet.show
    // snippet.middleware
    let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
    let userHeader = HTTPField.Name("X-User-ID")!
    let router = Router()
    router.add(middleware: TracingMiddleware())  // first, so that the cache's spans nest under the request's
    router.add(
        middleware: try ResponseCacheMiddleware(
            cache: cache,
            boundaries: boundaries,
            configuration: ResponseCacheMiddleware<BasicRequestContext>.Configuration(
                maximumBodySize: 1 << 20,  // larger responses are sent, never stored
                userID: { request, _ in request.headers[userHeader] }  // the key of per-user endpoints
            )
        )
    )
    router.get("/products/:id") { _, context in
        "product \(context.parameters.get("id") ?? "")"
    }
    let application = Application(router: router)
    // snippet.end
    // snippet.hide
    _ = application
}

let boundaries = try makeBoundaries()
try await decide(boundaries, try Cache(namespace: "pages", backend: MemoryBackend(byteBudget: 8 << 20)))
try fromFiles()
try middleware(boundaries)
