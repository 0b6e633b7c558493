import CacheLayer
import CacheLayerTestSupport
import CacheLayerTesting
import InMemoryTracing
import Synchronization

/// A request a conformance case sends: method, target (path and query) and header fields.
public struct ConformanceRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [(name: String, value: String)]

    /// A GET of `target`.
    public init(_ target: String, headers: [(name: String, value: String)] = []) {
        self.init("GET", target, headers: headers)
    }

    public init(_ method: String, _ target: String, headers: [(name: String, value: String)] = []) {
        self.method = method
        self.target = target
        self.headers = headers
    }
}

/// What came back: status, header fields (names lower-cased) and the body as text.
public struct ConformanceResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: String

    public init(status: Int, headers: [(name: String, value: String)], body: String) {
        self.status = status
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.body = body
    }

    /// The first value of the header `name`.
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name == name.lowercased() }?.value
    }

    /// The `X-Cache` header.
    public var cacheStatus: String? { self.header("x-cache") }
}

/// A route of the application under test, the same in every framework: method, status, headers, and a body made
/// from the handler's run count and the request's headers (and its path parameters: `":store"` asks for the
/// parameter `store`).
public struct ConformanceRoute: Sendable {
    public let path: String
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: @Sendable (_ run: Int, _ header: (String) -> String?) -> String
    public let method: String

    init(
        _ method: String = "GET", path: String, status: Int, headers: [(name: String, value: String)],
        body: @escaping @Sendable (_ run: Int, _ header: (String) -> String?) -> String
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The application every adapter serves for the conformance cases: the cache, its boundaries, the routes, and a
/// count of handler runs. An adapter's test builds its framework's application from ``routes`` (each handler
/// increments ``runs`` and answers as its route says), with the framework's response-cache middleware over
/// ``cache`` and ``boundaries`` (``maximumBodySize``, and the `X-User` header as the user).
public struct ConformanceFixture: Sendable {
    public let clock = ManualCacheClock(start: .seconds(1_700_000_000))
    /// The cache's tracer: its `cache.*` spans (the request spans are the framework's).
    public let tracer = InMemoryTracer()
    public let runs = LoadCounter()
    /// The cache's backend: its statistics count the reads that reached it.
    public let memory: MemoryBackend
    public let cache: Cache
    public let boundaries: CacheBoundaries
    public static let maximumBodySize = 1_024
    /// The `/slow` endpoint's hard timeout.
    public static let hardTimeout = Duration.seconds(1)
    public static let userHeader = "X-User"

    /// Whether the framework cancels a handler whose caller stops waiting for it (Hummingbird does; Vapor runs
    /// handlers on tasks of their own and cannot).
    public let cancelsHandlers: Bool

    public init(cancelsHandlers: Bool = true) throws {
        self.cancelsHandlers = cancelsHandlers
        self.memory = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        self.cache = try Cache(
            namespace: "conformance",
            backend: self.memory,
            configuration: .init(freshnessClock: self.clock, tracer: self.tracer)
        )
        let shared = { (name: String) in CacheEndpoint(name: name, path: "/\(name)", ttl: .seconds(60)) }
        self.boundaries = try CacheBoundaries(
            [
                CacheEndpoint(
                    name: "items", path: "/items", ttl: .seconds(60),
                    pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open"]])),
                shared("private"), shared("cookie"), shared("missing"), shared("large"), shared("vary"),
                CacheEndpoint(name: "me", path: "/me", ttl: .seconds(60), scope: .perUser),
                CacheEndpoint(name: "greeting", path: "/greeting", ttl: .seconds(60), varyHeaders: ["Accept-Language"]),
                CacheEndpoint(
                    name: "store", path: "/stores/:store", ttl: .seconds(60), tags: ["stores", "store:{store}"]),
                shared("header-tags"), shared("many-tags"),
                CacheEndpoint(
                    name: "flaky", path: "/flaky", ttl: .seconds(60),
                    loadPolicy: LoadPolicy(maximumStaleAge: .seconds(120), failSafeThrottle: .seconds(5))),
                shared("fragile"),
                CacheEndpoint(
                    name: "slow", path: "/slow", ttl: .seconds(60),
                    loadPolicy: LoadPolicy(hardTimeout: Self.hardTimeout)),
            ],
            invalidationRules: [
                CacheInvalidationRule(name: "store-write", path: "/stores/:store", tags: ["store:{store}"]),
                CacheInvalidationRule(name: "refused-write", path: "/refused/:store", tags: ["store:{store}"]),
                CacheInvalidationRule(name: "broken-write", path: "/broken/:store", tags: ["store:{store}"]),
            ])
    }

    /// What every handler does instead of answering as its route says, while an outage is simulated (an adapter's
    /// handler counts its run, then asks ``ConformanceOutage/failure``).
    public let outage = ConformanceOutage()

    /// The routes, by path.
    public static let routes: [ConformanceRoute] = [
        ConformanceRoute(path: "/items", status: 200, headers: [("Content-Type", "text/plain")]) { run, _ in
            "items, run \(run)"
        },
        ConformanceRoute(path: "/plain", status: 200, headers: []) { run, _ in "not cached, run \(run)" },
        ConformanceRoute(path: "/private", status: 200, headers: [("Cache-Control", "private, max-age=60")]) {
            run, _ in "for one user, run \(run)"
        },
        ConformanceRoute(path: "/cookie", status: 200, headers: [("Set-Cookie", "session=abc")]) { run, _ in
            "welcome, run \(run)"
        },
        ConformanceRoute(path: "/missing", status: 404, headers: []) { run, _ in "no such thing, run \(run)" },
        ConformanceRoute(path: "/large", status: 200, headers: []) { _, _ in String(repeating: "x", count: 4_096) },
        ConformanceRoute(path: "/vary", status: 200, headers: [("Vary", "Accept-Encoding")]) { run, _ in
            "compressed, perhaps, run \(run)"
        },
        ConformanceRoute(path: "/me", status: 200, headers: []) { run, header in
            "hello \(header(userHeader) ?? "nobody"), run \(run)"
        },
        ConformanceRoute(path: "/greeting", status: 200, headers: [("Vary", "Accept-Language")]) { run, header in
            "greeting in \(header("Accept-Language") ?? "none"), run \(run)"
        },
        ConformanceRoute(path: "/stores/:store", status: 200, headers: []) { run, parameter in
            "store \(parameter(":store") ?? "?"), run \(run)"
        },
        ConformanceRoute("POST", path: "/stores/:store", status: 200, headers: []) { _, parameter in
            "store \(parameter(":store") ?? "?") changed"
        },
        ConformanceRoute("POST", path: "/refused/:store", status: 409, headers: []) { _, _ in "conflict" },
        ConformanceRoute("POST", path: "/broken/:store", status: 500, headers: []) { _, _ in "broken" },
        ConformanceRoute(
            path: "/header-tags", status: 200,
            headers: [("Cache-Tag", "orders, order:42"), ("Surrogate-Key", "customer:7 orders")]
        ) { run, _ in "tagged by its headers, run \(run)" },
        ConformanceRoute(
            path: "/many-tags", status: 200,
            headers: [("Cache-Tag", (1...(ResponseTagBound.tags + 1)).map { "tag\($0)" }.joined(separator: ","))]
        ) { run, _ in "too many tags, run \(run)" },
        ConformanceRoute(path: "/flaky", status: 200, headers: []) { run, _ in "flaky origin, run \(run)" },
        ConformanceRoute(path: "/fragile", status: 200, headers: []) { run, _ in "fragile origin, run \(run)" },
        ConformanceRoute(path: "/slow", status: 200, headers: []) { run, _ in "slow origin, run \(run)" },
    ]
}

/// The bound on response header tags the adapters are configured with in the conformance cases (the default).
public enum ResponseTagBound {
    public static let tags = 64
}

/// A simulated outage of the application's origin: while one is on, every handler throws or answers a server error
/// instead of answering as its route says.
public final class ConformanceOutage: Sendable {
    /// How a handler fails.
    public enum Failure: Sendable, Equatable {
        /// It throws ``HandlerFailed`` (the framework answers 500).
        case throwing
        /// It throws the framework's own error for this status (a 4xx: Hummingbird's `HTTPError`, Vapor's `Abort`).
        case throwingStatus(Int)
        /// It answers this status (a 5xx) with the body ``serverErrorBody``.
        case status(Int)
        /// It waits ``stallDuration`` (cancellable, where the framework cancels handlers), then answers as its
        /// route says.
        case stalling
    }

    /// How long a stalling handler waits: longer than the `/slow` endpoint's hard timeout.
    public static let stallDuration = Duration.milliseconds(2_500)

    /// The error a failing handler throws.
    public struct HandlerFailed: Error {
        public init() {}
    }

    /// The body of a failing handler's server-error answer.
    public static let serverErrorBody = "origin down"

    private let current = Mutex<Failure?>(nil)

    /// How handlers fail now; `nil` when they answer as their routes say.
    public var failure: Failure? { self.current.withLock { $0 } }

    /// Starts an outage (or ends it, with `nil`).
    public func set(_ failure: Failure?) { self.current.withLock { $0 = failure } }
}
