import CacheLayer
import CacheLayerHummingbird
import CacheLayerTestSupport
import CacheLayerTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import MetricsTestKit
import NIOCore
import Tracing

/// A small server with the response cache in front of a few routes, one per behaviour under test, and probes for
/// how often each handler ran.
struct ResponseCacheFixture {
    let clock = ManualCacheClock(start: .seconds(1_700_000_000))
    let tracer = InMemoryTracer()
    let metrics = TestMetrics()
    /// Runs of every handler.
    let runs = LoadCounter()
    /// Held closed, the order-items handler waits on it (the concurrency test); open by default.
    let gate: Gate
    let cache: Cache
    let middleware: ResponseCacheMiddleware<BasicRequestContext>

    static let largeBody = String(repeating: "x", count: 4_096)

    init(
        gracePeriod: Duration? = nil,
        lock: LoadPolicy.Lock? = nil,
        maximumBodySize: Int = 1_024,
        backend: (any CacheBackend)? = nil,
        failOpen: Bool = true,
        holdHandlers: Bool = false
    ) throws {
        self.gate = Gate()
        if !holdHandlers { self.gate.open() }
        self.cache = try Cache(
            namespace: "responses",
            backend: backend ?? MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock)),
            configuration: .init(
                failOpen: failOpen,
                freshnessClock: self.clock,
                tracer: self.tracer,
                metricsFactory: self.metrics
            )
        )
        let shared = { (name: String, path: String) in CacheEndpoint(name: name, path: path, ttl: .seconds(60)) }
        let boundaries = try CacheBoundaries(
            [
                CacheEndpoint(
                    name: "order-items",
                    path: "/admin/order-items",
                    ttl: .seconds(60),
                    pagination: PaginationBoundary(
                        highestCachedPage: 1, commonFilters: ["status": ["open", "shipped"]]),
                    loadPolicy: LoadPolicy(lock: lock, gracePeriod: gracePeriod)
                ),
                shared("private", "/private"),
                shared("no-store", "/no-store"),
                shared("cookie", "/cookie"),
                shared("large", "/large"),
                shared("missing", "/missing"),
                shared("vary", "/vary"),
                CacheEndpoint(name: "me", path: "/me", ttl: .seconds(60), scope: .perUser),
                CacheEndpoint(name: "greeting", path: "/greeting", ttl: .seconds(60), varyHeaders: ["Accept-Language"]),
            ],
            metricsFactory: self.metrics
        )
        self.middleware = try ResponseCacheMiddleware(
            cache: self.cache,
            boundaries: boundaries,
            configuration: .init(
                maximumBodySize: maximumBodySize,
                userID: { request, _ in request.headers[HTTPField.Name("X-User")!] },
                metricsFactory: self.metrics
            )
        )
    }

    /// The application: Hummingbird's tracing middleware, then the cache, then the routes.
    func application() -> some ApplicationProtocol {
        // HEAD requests reach the GET routes, as in most servers.
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: TracingMiddleware())
        router.add(middleware: self.middleware)
        let runs = self.runs
        let gate = self.gate
        router.get("/admin/order-items") { request, _ -> Response in
            runs.increment()
            await gate.wait()
            let page = request.uri.queryParameters["page"].map(String.init) ?? "1"
            // The handler's own work, traced like a database query would be.
            return withSpan("load order items") { _ in
                Self.text("order items page \(page), run \(runs.count)", headers: [.contentType: "text/plain"])
            }
        }
        router.get("/private") { _, _ in
            runs.increment()
            return Self.text("for one user", headers: [.cacheControl: "private, max-age=60"])
        }
        router.get("/no-store") { _, _ in
            runs.increment()
            return Self.text("never stored", headers: [.cacheControl: "no-store"])
        }
        router.get("/cookie") { _, _ in
            runs.increment()
            return Self.text("welcome", headers: [.setCookie: "session=abc"])
        }
        router.get("/large") { _, _ in
            runs.increment()
            return Self.text(Self.largeBody)
        }
        router.get("/missing") { _, _ in
            runs.increment()
            return Response(status: .notFound, body: ResponseBody(byteBuffer: ByteBuffer(string: "no such thing")))
        }
        router.get("/vary") { _, _ in
            runs.increment()
            return Self.text("compressed, perhaps", headers: [.vary: "Accept-Encoding"])
        }
        router.get("/greeting") { request, _ in
            runs.increment()
            let language = request.headers[.acceptLanguage] ?? "none"
            return Self.text("greeting in \(language)", headers: [.vary: "Accept-Language"])
        }
        router.get("/me") { request, _ in
            runs.increment()
            return Self.text("hello \(request.headers[HTTPField.Name("X-User")!] ?? "nobody")")
        }
        return Application(router: router)
    }

    static func text(_ text: String, headers: HTTPFields = [:]) -> Response {
        Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension TestResponse {
    /// The `X-Cache` header.
    var cacheStatus: String? { self.headers[HTTPField.Name("X-Cache")!] }
    /// The body as text.
    var text: String { String(buffer: self.body) }
}
