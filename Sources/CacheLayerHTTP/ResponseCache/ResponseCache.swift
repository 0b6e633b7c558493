import CacheLayer
import CoreMetrics
import HTTPTypes
import Logging
import Tracing

/// The response cache without a framework: decides with ``CacheLayer/CacheBoundaries`` whether a request is
/// cached, reads cached requests through the ``CacheLayer/Cache`` (the handler runs only on a miss, concurrent
/// misses share one run, and a distributed lock when the endpoint's policy has one), stores only the responses its
/// storability rules allow in its stored format, and marks every response with `X-Cache` (and `Age` when served
/// from the cache). The request's span gets `cache.boundary` and `cache.decision`; `cache.responses_not_stored`
/// counts what was not stored, and why. A server error (5xx) is never stored; when the handler throws or answers one
/// and the endpoint's policy has a ``CacheLayer/LoadPolicy/maximumStaleAge``, the stored response within that age is
/// sent instead (stale if error: its own status, `X-Cache: STALE`, `Age`), and a warning is logged.
///
/// Each framework's middleware is a thin ``ResponseCacheAdapter`` over it: it tells the request apart
/// (``CacheLayer/CacheRequest``) and reads and builds its own responses. What is true of cached HTTP responses,
/// whichever framework serves them, belongs here.
package struct ResponseCache<Adapter: ResponseCacheAdapter>: Sendable {
    package typealias Response = Adapter.Response

    /// The cache responses are stored in.
    package let cache: Cache
    /// Which requests are cached, under which keys, for how long.
    package let boundaries: CacheBoundaries
    package let configuration: Configuration
    /// The request headers any boundary looks at, by canonical (lowercase) name: the identity headers, `Host`, and
    /// every endpoint's vary headers. Only these need be handed to the boundaries.
    package let keyedHeaders: Set<String>

    private let coding: CacheValueCoding<ResponseLoad<Response>>
    /// The storability rules of each endpoint, by name.
    private let storability: [String: ResponseStorability]
    private let notStored: NotStoredCounters?

    /// Creates the response cache.
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a negative maximum body size or no
    ///   cacheable status.
    package init(cache: Cache, boundaries: CacheBoundaries, configuration: Configuration) throws(CacheError) {
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

    /// Whether a request may be cached at all: a GET or HEAD whose target is in origin form (`/path?query`). An
    /// absolute-form target (`GET http://host/path`) shows the handler a scheme and host of its own; such requests
    /// are rare enough not to be worth keying.
    package static func isCandidate(method: HTTPRequest.Method, isOriginForm: Bool) -> Bool {
        (method == .get || method == .head) && isOriginForm
    }

    /// The values of the headers the boundaries look at, in request order, by canonical name.
    package func keyedValues(of fields: HTTPFields) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for field in fields where self.keyedHeaders.contains(field.name.canonicalName) {
            headers.append((name: field.name.canonicalName, value: field.value))
        }
        return headers
    }

    /// Serves a request from the cache, or through `next` (storing the response when its boundary and headers
    /// allow), and marks the response with `X-Cache`.
    /// - Parameters:
    ///   - isCandidate: whether the request may be cached at all (``isCandidate(method:isOriginForm:)``); `false`
    ///     bypasses without looking at `request`.
    ///   - request: what the boundaries need to know about the request, as the handler sees it; `nil` when the
    ///     adapter cannot tell (a query it cannot decode as the handler would), which bypasses the cache.
    ///   - isHEAD: whether the request is a HEAD request (whose responses have no body to store).
    ///   - logger: the request's logger.
    ///   - next: the handler.
    package func respond(
        isCandidate: Bool,
        request: () -> CacheRequest?,
        isHEAD head: Bool,
        logger: Logger,
        next: () async throws -> Response
    ) async throws -> Response {
        guard isCandidate, let request = request() else { return try await Self.bypass(next) }
        let started = ContinuousClock.now
        let decision = self.boundaries.decide(request)
        let span = self.requestSpan()
        if let span { decision.record(on: span) }
        guard case let (key, endpoint)? = self.cache.readThroughTarget(for: decision) else {
            let response = try await Self.bypass(next)
            decision.recordRead(servedFromCache: false, duration: ContinuousClock.now - started)
            return response
        }
        var handlerRan = false
        var loaded: ResponseLoad<Response>?
        // Stale if error: a 5xx answer is a failed load, so that a stored response within the maximum stale age is
        // served in its place.
        let staleIfError = endpoint.loadPolicy.maximumStaleAge != nil
        let result: ReadThroughResult<ResponseLoad<Response>>
        do {
            result = try await self.cache.readThrough(
                key: key,
                ttl: endpoint.ttl,
                policy: endpoint.loadPolicy,
                coding: self.coding
            ) {
                handlerRan = true
                let load = try await self.load(
                    next, key: key, endpoint: endpoint, head: head, span: span, logger: logger)
                loaded = load
                if staleIfError, case .notStored(let response) = load {
                    let status = Adapter.head(of: response).status
                    if status.kind == .serverError { throw ServerErrorAnswer(response: response, status: status) }
                }
                return load
            }
        } catch let answer as ServerErrorAnswer<Response> {
            // Nothing stale to serve: the 5xx reaches the client as it would without the cache. A request that
            // waited for another's load runs the handler itself, as for any response that is not stored.
            decision.recordRead(servedFromCache: false, duration: ContinuousClock.now - started)
            guard handlerRan else { return try await Self.missing(next) }
            return Adapter.marked(answer.response, .miss)
        } catch {
            if let loaded, let cacheError = error as? CacheError {
                // The handler answered; storing its response failed. The response is sent all the same.
                return self.storeFailed(loaded, cacheError, endpoint: endpoint, head: head, span: span, logger: logger)
            }
            // The handler's own errors pass through; the cache's, before the handler ran, do not fail the request.
            guard let cacheError = error as? CacheError, !handlerRan else {
                throw Adapter.markedError(error, .miss)
            }
            if cacheError.code == .lockTimeout {
                throw Adapter.markedError(Adapter.lockTimeoutError(), .miss)
            }
            logger.warning(
                "response cache unavailable; serving without it",
                metadata: ["cache.boundary": "\(endpoint.name)", "error.message": "\(cacheError)"]
            )
            return try await Self.bypass(next)
        }
        decision.recordRead(
            servedFromCache: result.source == .hit || result.source == .stale, duration: ContinuousClock.now - started)
        if let error = result.loadError {
            logger.warning(
                "the handler failed; serving the stored response (stale if error)",
                metadata: [
                    "cache.boundary": "\(endpoint.name)",
                    "error.type":
                        "\(error is ServerErrorAnswer<Response> ? "http.server_error" : String(reflecting: type(of: error)))",
                ]
            )
        }
        switch result.value {
        case .stored(let cached):
            switch result.source {
            case .hit, .stale:
                let age = self.cache.configuration.freshnessClock.now() - cached.storedAt
                let status: CacheStatus = result.source == .hit ? .hit : .stale
                return Adapter.response(cached.head(status: status, age: age), body: cached.body, forHEAD: head)
            case .loaded, .shared:
                return Adapter.response(cached.head(status: .miss, age: nil), body: cached.body, forHEAD: head)
            }
        case .notStored(let response):
            return Adapter.marked(response, .miss)
        }
    }

    /// The handler's response, sent although storing it failed (a backend that is down, with `failOpen` off),
    /// marked `MISS`; the failure is counted and logged.
    private func storeFailed(
        _ loaded: ResponseLoad<Response>,
        _ error: CacheError,
        endpoint: CacheEndpoint,
        head: Bool,
        span: (any Span)?,
        logger: Logger
    ) -> Response {
        NotStoredRecording(boundary: endpoint.name, counters: self.notStored, span: span, logger: logger)(
            .storeFailed)
        logger.warning(
            "response cache unavailable; the response was sent without being stored",
            metadata: ["cache.boundary": "\(endpoint.name)", "error.message": "\(error)"]
        )
        switch loaded {
        case .stored(let cached):
            return Adapter.response(cached.head(status: .miss, age: nil), body: cached.body, forHEAD: head)
        case .notStored(let response):
            return Adapter.marked(response, .miss)
        }
    }

    /// Runs the handler and returns its response: collected, to be stored and shared, when its length is declared
    /// and within the limit; forwarded as it is written, and stored at its end (``StreamedResponseStore``), when
    /// its length is unknown; sent as it is otherwise.
    private func load(
        _ next: () async throws -> Response,
        key: String,
        endpoint: CacheEndpoint,
        head: Bool,
        span: (any Span)?,
        logger: Logger
    ) async throws -> ResponseLoad<Response> {
        let started = ContinuousClock.now
        var response = try await next()
        let limit = min(self.configuration.maximumBodySize, CachedResponseFormat.largestPart)
        let notStored = NotStoredRecording(
            boundary: endpoint.name, counters: self.notStored, span: span, logger: logger)
        let responseHead = Adapter.head(of: response)
        let refusal: NotStoredReason
        if head {
            refusal = .head
        } else if let reason = self.storability[endpoint.name]?.refusal(for: responseHead) {
            refusal = reason
        } else if !Adapter.canReadBody(of: response) {
            refusal = .streamed
        } else {
            switch DeclaredContentLength(
                headers: responseHead.headerFields, bodyLength: Adapter.bodyLength(of: response))
            {
            case .inconsistent:
                refusal = .lengthMismatch
            case .known(let length) where length > limit:
                refusal = .tooLarge
            case .known(let length):
                let collector = BodyCollector(declaredLength: length)
                response = try await Adapter.collectBody(of: response, into: collector)
                let collected = collector.result
                if !collected.finished && !collected.overran {
                    refusal = .incomplete
                } else if collected.trailers != nil {
                    refusal = .trailers
                } else if !collected.isExact {
                    refusal = .lengthMismatch
                } else {
                    return .stored(
                        CachedResponse(
                            status: responseHead.status,
                            headers: ResponseStorability.storedHeaders(responseHead.headerFields),
                            body: collected.bytes,
                            storedAt: self.cache.configuration.freshnessClock.now()
                        )
                    )
                }
            case .unknown:
                // Not shared: concurrent requests for the key are released to run their own handler now.
                let store = StreamedResponseStore(
                    cache: self.cache, coding: self.coding, key: key, endpoint: endpoint, limit: limit,
                    started: started, notStored: notStored
                )
                return .notStored(Adapter.forwardingBody(of: response, copying: store.copy(of: responseHead)))
            }
        }
        notStored(refusal)
        return .notStored(response)
    }

    /// The span of the request being handled (the framework's tracing middleware starts it), when the tracer can
    /// look spans up.
    private func requestSpan() -> (any Span)? {
        guard let context = ServiceContext.current else { return nil }
        let tracer: any Tracer = self.cache.configuration.tracer ?? InstrumentationSystem.tracer
        return tracer.activeSpan(identifiedBy: context)
    }

    /// The handler's response, or error, marked `MISS`: for a request whose wait for another's load ended in a
    /// response that is not shared.
    private static func missing(_ next: () async throws -> Response) async throws -> Response {
        do {
            return Adapter.marked(try await next(), .miss)
        } catch {
            throw Adapter.markedError(error, .miss)
        }
    }

    /// The handler's response, or error, marked `BYPASS`.
    private static func bypass(_ next: () async throws -> Response) async throws -> Response {
        do {
            return Adapter.marked(try await next(), .bypass)
        } catch {
            throw Adapter.markedError(error, .bypass)
        }
    }
}
