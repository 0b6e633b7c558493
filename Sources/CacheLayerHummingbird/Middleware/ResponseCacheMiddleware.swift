import CacheLayer
import CoreMetrics
import HTTPTypes
import Hummingbird
import Tracing

/// Serves GET and HEAD responses from a ``CacheLayer/Cache``, endpoint by endpoint, as
/// ``CacheLayer/CacheBoundaries`` decide: cached requests read through the cache (the handler runs only on a miss),
/// everything else goes straight to the handler.
///
/// ```swift
/// let cache = try Cache(namespace: "responses", backend: MemoryBackend(byteBudget: 64 << 20))
/// let boundaries = try CacheBoundaries([
///     CacheEndpoint(name: "order-items", path: "/admin/order-items", ttl: .seconds(60),
///                   pagination: PaginationBoundary(highestCachedPage: 1, commonFilters: ["status": ["open"]]))
/// ])
/// router.add(middleware: TracingMiddleware())  // first: the cache's spans nest under the request's span
/// router.add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
/// ```
///
/// - Every response carries `X-Cache` (``CacheStatus``: `HIT`, `MISS`, `STALE` or `BYPASS`); responses served from
///   the cache also carry `Age`.
/// - Only responses with a cacheable status (200 by default) are stored, with their headers (less hop-by-hop and
///   per-delivery ones) and whole body. A response marked `Cache-Control: no-store`, `no-cache` or `private`, one
///   that sets a cookie, one whose `Vary` names a header the key leaves out, or one with a body over
///   ``Configuration/maximumBodySize`` is sent as it is and never stored (``NotStoredReason``).
/// - Two requests share an entry only if the handler would receive the same input: the key holds the scheme, the
///   authority (and any `Host` field), the path, the query parameters as the handler reads them (names as sent,
///   values percent-decoded; only the order of distinct names is canonical) and every vary header value, byte for
///   byte, unless the endpoint declares a folding (``CacheLayer/ParameterFolding``) or that it ignores the host.
///   A request whose target is in absolute form (`GET http://host/path`) bypasses the cache.
/// - A request carrying one of the boundaries' ``CacheLayer/CacheBoundaries/identityHeaders`` (`Authorization`,
///   `Cookie`, `X-Api-Key`...), or that ``Configuration/isPersonalised`` says is personal, bypasses a shared
///   endpoint. A per-user endpoint keys on ``Configuration/userID`` and bypasses requests without one.
/// - Concurrent identical requests on a cold key run the handler once; the others get its response. With the
///   endpoint's stampede protection set to a distributed lock, that holds across processes.
/// - A body of unknown length (an async sequence, server-sent events) reaches the client chunk by chunk as the
///   handler writes it, and concurrent requests for the key run their own handler rather than wait for it; a copy
///   kept on the way (up to ``Configuration/maximumBodySize``) is stored when the body ends well.
/// - With a grace period, a stale response is served at once (`STALE`) while one request in the process refreshes
///   it; that request waits for the handler (`MISS`). A middleware's `next` cannot run after the middleware
///   returns, so the refresh rides on a request rather than running in the background. Early refresh likewise.
/// - The request's span (from Hummingbird's `TracingMiddleware`) gets `cache.boundary` and `cache.decision`; the
///   `cache.get` and `cache.put` spans, and the handler's own, nest under it. Problems of the cache itself (a backend
///   that is down with `failOpen` off) make the request bypass the cache rather than fail; a lock wait that gives up
///   with ``CacheLayer/LoadPolicy/Lock/TimeoutBehaviour/fail`` answers 503.
public struct ResponseCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The cache responses are stored in.
    public let cache: Cache
    /// Which requests are cached, under which keys, for how long.
    public let boundaries: CacheBoundaries
    /// What is stored and how users are told apart.
    public let configuration: Configuration

    private let coding: CacheValueCoding<ResponseLoad>
    /// The storability rules of each endpoint, by name.
    private let storability: [String: ResponseStorability]
    /// The request headers any boundary looks at, by canonical (lowercase) name: the identity headers, `Host`, and
    /// every endpoint's vary headers. Only these are handed to the boundaries.
    private let keyedHeaders: Set<String>
    private let notStored: NotStoredCounters?

    /// Creates the middleware.
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a negative maximum body size or no
    ///   cacheable status.
    public init(cache: Cache, boundaries: CacheBoundaries, configuration: Configuration = .init()) throws(CacheError) {
        guard configuration.maximumBodySize >= 0 else {
            throw CacheError(
                .invalidConfiguration, "maximumBodySize must not be negative, got \(configuration.maximumBodySize)")
        }
        guard !configuration.cacheableStatuses.isEmpty else {
            throw CacheError(.invalidConfiguration, "cacheableStatuses is empty: nothing would be stored")
        }
        self.cache = cache
        self.boundaries = boundaries
        self.configuration = configuration
        self.coding = CacheValueCoding(
            encode: { load in
                guard case .stored(let response) = load, CachedResponseFormat.fits(response) else { return nil }
                return CachedResponseFormat.encode(response)
            },
            decode: { bytes in .stored(try CachedResponseFormat.decode(bytes)) }
        )
        self.storability = Dictionary(
            uniqueKeysWithValues: boundaries.endpoints.map { endpoint in
                (
                    endpoint.name,
                    ResponseStorability(
                        cacheableStatuses: configuration.cacheableStatuses, varyHeaders: Set(endpoint.varyHeaders))
                )
            })
        self.keyedHeaders = Set(boundaries.identityHeaders + ["host"] + boundaries.endpoints.flatMap(\.varyHeaders))
        self.notStored = NotStoredCounters(
            factory: configuration.metricsFactory ?? MetricsSystem.factory,
            boundaries: boundaries.endpoints.map(\.name)
        )
    }

    /// Serves `request` from the cache, or through `next` (storing the response when its boundary and headers allow),
    /// and marks the response with `X-Cache`.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // An absolute-form target (`GET http://host/path`) shows the handler a scheme and host of its own in
        // `request.uri`; such requests are rare enough not to be worth keying.
        guard request.method == .get || request.method == .head, request.uri.scheme == nil, request.uri.host == nil
        else {
            return try await Self.bypass(request, context, next)
        }
        let started = ContinuousClock.now
        let decision = self.boundaries.decide(self.cacheRequest(request, context: context))
        let span = self.requestSpan()
        if let span { decision.record(on: span) }
        guard case let (key, endpoint)? = self.cache.readThroughTarget(for: decision) else {
            let response = try await Self.bypass(request, context, next)
            decision.recordRead(servedFromCache: false, duration: ContinuousClock.now - started)
            return response
        }
        let head = request.method == .head
        var handlerRan = false
        var loaded: ResponseLoad?
        let result: ReadThroughResult<ResponseLoad>
        do {
            result = try await self.cache.readThrough(
                key: key,
                ttl: endpoint.ttl,
                policy: endpoint.loadPolicy,
                coding: self.coding
            ) {
                handlerRan = true
                let load = try await self.load(
                    request, context, next, key: key, endpoint: endpoint, head: head, span: span)
                loaded = load
                return load
            }
        } catch {
            if let loaded, let cacheError = error as? CacheError {
                // The handler answered; storing its response failed. The response is sent all the same.
                return self.storeFailed(
                    loaded, cacheError, endpoint: endpoint, head: head, span: span, context: context)
            }
            // The handler's own errors pass through; the cache's, before the handler ran, do not fail the request.
            guard let cacheError = error as? CacheError, !handlerRan else {
                throw CacheStatusMarkedError(originalError: error, cacheStatus: .miss)
            }
            if cacheError.code == .lockTimeout {
                throw CacheStatusMarkedError(
                    originalError: HTTPError(
                        .serviceUnavailable, message: "another request is computing this response; try again"),
                    cacheStatus: .miss
                )
            }
            context.logger.warning(
                "response cache unavailable; serving without it",
                metadata: ["cache.boundary": "\(endpoint.name)", "error.message": "\(cacheError)"]
            )
            return try await Self.bypass(request, context, next)
        }
        decision.recordRead(
            servedFromCache: result.source == .hit || result.source == .stale, duration: ContinuousClock.now - started)
        switch result.value {
        case .stored(let cached):
            switch result.source {
            case .hit, .stale:
                let age = self.cache.configuration.freshnessClock.now() - cached.storedAt
                return cached.response(status: result.source == .hit ? .hit : .stale, age: age, head: head)
            case .loaded, .shared:
                return cached.response(status: .miss, age: nil, head: head)
            }
        case .notStored(let response):
            return Self.marked(response, .miss)
        }
    }

    /// The handler's response, sent although storing it failed (a backend that is down, with `failOpen` off),
    /// marked `MISS`; the failure is counted and logged.
    private func storeFailed(
        _ loaded: ResponseLoad,
        _ error: CacheError,
        endpoint: CacheEndpoint,
        head: Bool,
        span: (any Span)?,
        context: Context
    ) -> Response {
        NotStoredRecording(boundary: endpoint.name, counters: self.notStored, span: span, logger: context.logger)(
            .storeFailed)
        context.logger.warning(
            "response cache unavailable; the response was sent without being stored",
            metadata: ["cache.boundary": "\(endpoint.name)", "error.message": "\(error)"]
        )
        switch loaded {
        case .stored(let cached): return cached.response(status: .miss, age: nil, head: head)
        case .notStored(let response): return Self.marked(response, .miss)
        }
    }

    /// Runs the handler and returns its response: collected, to be stored and shared, when its length is declared
    /// and within the limit; forwarded as it is written, and stored at its end (``StreamedResponseStore``), when
    /// its length is unknown; sent as it is otherwise.
    private func load(
        _ request: Request,
        _ context: Context,
        _ next: (Request, Context) async throws -> Response,
        key: String,
        endpoint: CacheEndpoint,
        head: Bool,
        span: (any Span)?
    ) async throws -> ResponseLoad {
        let started = ContinuousClock.now
        var response = try await next(request, context)
        let limit = min(self.configuration.maximumBodySize, CachedResponseFormat.largestPart)
        let notStored = NotStoredRecording(
            boundary: endpoint.name, counters: self.notStored, span: span, logger: context.logger)
        let refusal: NotStoredReason
        if head {
            refusal = .head
        } else if let reason = self.storability[endpoint.name]?.refusal(for: response) {
            refusal = reason
        } else {
            switch DeclaredContentLength(of: response) {
            case .inconsistent:
                refusal = .lengthMismatch
            case .known(let length) where length > limit:
                refusal = .tooLarge
            case .known(let length):
                let collected = try await CollectedBody.collect(response.body, declaredLength: length)
                response.body = collected.responseBody
                if !collected.finished && !collected.overran {
                    refusal = .incomplete
                } else if collected.trailers != nil {
                    refusal = .trailers
                } else if !collected.isExact {
                    refusal = .lengthMismatch
                } else {
                    return .stored(
                        CachedResponse(
                            status: response.status,
                            headers: ResponseStorability.storedHeaders(response.headers),
                            body: collected.bytes,
                            storedAt: self.cache.configuration.freshnessClock.now()
                        )
                    )
                }
            case .unknown:
                // Not shared: concurrent requests for the key are released to run their own handler now.
                let store = StreamedResponseStore(
                    cache: self.cache, coding: self.coding, key: key, endpoint: endpoint, limit: limit,
                    started: started,
                    notStored: notStored
                )
                return .notStored(store.forwarding(response))
            }
        }
        notStored(refusal)
        return .notStored(response)
    }

    /// What the boundaries need to know about `request`, as the handler sees it: method, scheme, authority, path,
    /// query (as `request.uri.queryParameters` gives it: names as sent, values percent-decoded, in request order),
    /// every value of the headers they look at, the user, and whether the application says it is personal.
    private func cacheRequest(_ request: Request, context: Context) -> CacheRequest {
        // One pass over the fields, in request order, so each header's values keep theirs.
        var headers: [(name: String, value: String)] = []
        for field in request.headers where self.keyedHeaders.contains(field.name.canonicalName) {
            headers.append((name: field.name.canonicalName, value: field.value))
        }
        return CacheRequest(
            method: request.method.rawValue,
            scheme: request.head.scheme,
            authority: request.head.authority,
            path: request.uri.path,
            query: request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) },
            headers: headers,
            userID: self.configuration.userID?(request, context),
            isPersonalised: self.configuration.isPersonalised?(request, context) ?? false
        )
    }

    /// The span of the request being handled (Hummingbird's `TracingMiddleware` starts it), when the tracer can
    /// look spans up.
    private func requestSpan() -> (any Span)? {
        guard let context = ServiceContext.current else { return nil }
        let tracer: any Tracer = self.cache.configuration.tracer ?? InstrumentationSystem.tracer
        return tracer.activeSpan(identifiedBy: context)
    }

    /// The handler's response, or error, marked `BYPASS`.
    private static func bypass(
        _ request: Request,
        _ context: Context,
        _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return Self.marked(try await next(request, context), .bypass)
        } catch {
            throw CacheStatusMarkedError(originalError: error, cacheStatus: .bypass)
        }
    }

    private static func marked(_ response: Response, _ status: CacheStatus) -> Response {
        var response = response
        response.headers[.xCache] = status.rawValue
        return response
    }
}
