@_spi(CacheLayerInternals) import CacheLayer
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
/// Entries are stored with their boundary's tags (``CacheLayer/CacheEndpoint/tags``) and those the handler names in
/// `Cache-Tag` or `Surrogate-Key` (``ResponseTagHeaders``). A write that matches the boundaries'
/// ``CacheLayer/CacheInvalidationRule``s and succeeds (2xx) invalidates its tags before its response is returned.
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
    /// The responses decoded lately from the in-memory tier's bytes: the coding's memo, which a hit answered without
    /// suspending reads directly.
    private let decodedResponses: DecodedValueMemo<CachedResponse>
    /// The storability rules of each endpoint, by name.
    private let storability: [String: ResponseStorability]
    private let notStored: NotStoredCounters?
    private let invalidations: InvalidationCounters?

    /// Creates the response cache.
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a negative maximum body size, no
    ///   cacheable status, or a negative bound on header tags.
    package init(cache: Cache, boundaries: CacheBoundaries, configuration: Configuration) throws(CacheError) {
        guard configuration.maximumHeaderTags >= 0 else {
            throw CacheError(
                .invalidConfiguration,
                "maximumHeaderTags must not be negative, got \(configuration.maximumHeaderTags)")
        }
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
        // A hit from the in-memory tier reads the same bytes each time: parse them once. Bounded: 64 responses of
        // 1 to 64 KB, at most 8 MB kept beyond the backend's budget (their bytes and their decoded bodies).
        let decodedResponses = DecodedValueMemo<CachedResponse>()
        self.decodedResponses = decodedResponses
        self.coding = CacheValueCoding(
            encode: { load in
                guard case .stored(let response) = load, CachedResponseFormat.fits(response) else { return nil }
                return CachedResponseFormat.encode(response)
            },
            decode: { bytes in .stored(try CachedResponseFormat.decode(bytes)) },
            writtenAt: { load in
                guard case .stored(let response) = load else { return nil }
                return response.storedAt
            }
        )
        .memoizing(
            in: decodedResponses,
            keeping: { load in
                guard case .stored(let response) = load else { return nil }
                return response
            },
            as: { .stored($0) }
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
        self.invalidations = InvalidationCounters(
            factory: configuration.metricsFactory ?? MetricsSystem.factory,
            rules: boundaries.invalidationRules.map(\.name)
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
    ///   - writeReadings: for a request that is not a candidate, the request under each way its handler may have
    ///     read its query (``WriteQueryReadings``), for the invalidation of a write.
    ///   - isHEAD: whether the request is a HEAD request (whose responses have no body to store).
    ///   - logger: the request's logger.
    ///   - next: the handler.
    package func respond(
        isCandidate: Bool,
        request: () -> CacheRequest?,
        writeReadings: () -> [CacheRequest],
        isHEAD head: Bool,
        logger: Logger,
        next: () async throws -> Response
    ) async throws -> Response {
        switch self.respondWithoutSuspending(isCandidate: isCandidate, request: request, isHEAD: head) {
        case .served(let response):
            return response
        case .decided(let decided):
            return try await self.respond(decided, isHEAD: head, logger: logger, next: next)
        case .undecided:
            return try await self.respondUncached(
                isCandidate: isCandidate, writeReadings: writeReadings, logger: logger, next: next)
        }
    }

    /// Answers a request the cache does not serve (``ImmediateAnswer/undecided``) through `next`, marked `BYPASS`:
    /// a write matching an invalidation rule invalidates the rule's tags, under every reading of its query
    /// (`writeReadings`), when it succeeds.
    package func respondUncached(
        isCandidate: Bool,
        writeReadings: () -> [CacheRequest],
        logger: Logger,
        next: () async throws -> Response
    ) async throws -> Response {
        if !isCandidate, !self.boundaries.invalidationRules.isEmpty,
            let invalidation = self.invalidation(forAnyOf: writeReadings())
        {
            return try await self.respondInvalidating(invalidation, logger: logger, next: next)
        }
        return try await self.passThrough(next)
    }

    /// A cacheable request's boundary decision, made once (deciding counts it), when its handling began, and what
    /// the attempt to answer it without suspending read from the backend (handed on, so it is not read twice).
    package struct DecidedRequest: Sendable {
        let decision: BoundaryDecision
        let started: ContinuousClock.Instant
        var prefetched: PrefetchedRead? = nil
    }

    /// How ``respondWithoutSuspending(isCandidate:request:isHEAD:)`` answered.
    package enum ImmediateAnswer {
        /// A fresh hit from a backend that answers without suspending (the in-memory tier), marked `HIT`.
        case served(Response)
        /// A cacheable request the cache cannot answer at once: go on with ``respond(_:isHEAD:logger:next:)``.
        case decided(DecidedRequest)
        /// A request the cache does not serve: go on with ``respondUncached(isCandidate:writeReadings:logger:next:)``.
        case undecided
    }

    /// Serves a request at once, without suspending, when it is a fresh hit in a backend that answers without
    /// suspending, exactly as ``respond(isCandidate:request:writeReadings:isHEAD:logger:next:)`` would serve it (the same key,
    /// headers, span and metrics); otherwise says how to go on, having recorded nothing but the boundary decision.
    /// For a framework that runs async code on a task of its own (Vapor): a hit then costs no hop to that task.
    package func respondWithoutSuspending(
        isCandidate: Bool, request: () -> CacheRequest?, isHEAD head: Bool
    ) -> ImmediateAnswer {
        guard isCandidate, let request = request() else { return .undecided }
        let started = ContinuousClock.now
        var decided = DecidedRequest(decision: self.boundaries.decide(request), started: started)
        guard case let (key, endpoint)? = self.cache.readThroughTarget(for: decided.decision) else {
            return .decided(decided)
        }
        let cached: CachedResponse
        // The bytes read and decoded here, not through the coding: this module's code, specialised for responses.
        switch self.cache.readFreshFrameWithoutSuspending(
            key: key, ttl: endpoint.ttl, policy: endpoint.loadPolicy, tags: decided.decision.tags)
        {
        case .fresh(let frame):
            guard let response = self.decodedResponses.response(decodedFrom: frame) else {
                // Bytes that do not decode: the read-through that follows decides what they are.
                decided.prefetched = frame.prefetched
                return .decided(decided)
            }
            self.cache.recordFreshHit(frame, writtenAt: frame.writtenAt ?? response.storedAt)
            cached = response
        case .read(let prefetched):
            decided.prefetched = prefetched
            return .decided(decided)
        case .notRead:
            return .decided(decided)
        }
        if let span = self.requestSpan() { decided.decision.record(on: span) }
        decided.decision.recordRead(servedFromCache: true, duration: ContinuousClock.now - started)
        return .served(self.served(cached, status: .hit, head: head))
    }

    /// Serves a request whose boundary decision is made (``DecidedRequest``) from the cache, or through `next`.
    package func respond(
        _ decided: DecidedRequest,
        isHEAD head: Bool,
        logger: Logger,
        next: () async throws -> Response
    ) async throws -> Response {
        let (decision, started) = (decided.decision, decided.started)
        let span = self.requestSpan()
        if let span { decision.record(on: span) }
        guard case let (key, endpoint)? = self.cache.readThroughTarget(for: decision) else {
            let response = try await self.passThrough(next)
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
                tags: decision.tags,
                coding: self.coding,
                prefetched: decided.prefetched
            ) { () async throws -> LoadResult<ResponseLoad<Response>> in
                handlerRan = true
                let load: LoadResult<ResponseLoad<Response>>
                do {
                    load = try await self.load(
                        next, key: key, endpoint: endpoint, tags: decision.tags, head: head, span: span, logger: logger)
                } catch {
                    // A client error the handler throws is its answer, not the origin failing: stale if error must
                    // not replace it with the stored response.
                    guard staleIfError, let status = Adapter.status(ofError: error), status.kind == .clientError
                    else { throw error }
                    return LoadResult(.clientError(error), cachesValue: false)
                }
                loaded = load.value
                if staleIfError, case .notStored(let response) = load.value {
                    let status = Adapter.head(of: response).status
                    if status.kind == .serverError { throw ServerErrorAnswer(response: response, status: status) }
                }
                return load
            }
        } catch let answer as ServerErrorAnswer<Response> {
            // Nothing stale to serve: the 5xx reaches the client as it would without the cache. A request that
            // waited for another's load runs the handler itself, as for any response that is not stored.
            decision.recordRead(servedFromCache: false, duration: ContinuousClock.now - started)
            guard handlerRan else { return try await self.passThrough(next, marked: .miss) }
            return Adapter.marked(self.delivered(answer.response), .miss)
        } catch {
            // Past the hard timeout with nothing stale to serve: the handler's answer is late, whoever ran it (a
            // framework that cannot cancel its handler lets it finish first). A request that waited for another's
            // load does not run the slow handler again.
            if let cacheError = error as? CacheError, cacheError.code == .loaderTimeout {
                // A handler that could not be cancelled (Vapor's) finished after all: its response is the answer.
                guard let loaded else { throw Adapter.markedError(Adapter.loaderTimeoutError(), .miss) }
                return try self.missAnswer(loaded, head: head)
            }
            if let loaded, let cacheError = error as? CacheError {
                // The handler answered; storing its response failed. The response is sent all the same.
                return try self.storeFailed(
                    loaded, cacheError, key: key, endpoint: endpoint, head: head, span: span, logger: logger)
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
                metadata: [
                    "cache.boundary": "\(endpoint.name)",
                    "error.message": "\(self.cache.describeForTelemetry(cacheError, key: key))",
                ]
            )
            return try await self.passThrough(next)
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
                return self.served(cached, status: result.source == .hit ? .hit : .stale, head: head)
            case .loaded, .shared:
                return Adapter.response(replaying: cached, status: .miss, age: nil, forHEAD: head)
            }
        case .notStored(let response):
            return Adapter.marked(self.delivered(response), .miss)
        case .clientError(let error):
            throw Adapter.markedError(error, .miss)
        }
    }

    /// A stored response as the cache serves it: marked `status`, with its `Age`.
    private func served(_ cached: CachedResponse, status: CacheStatus, head: Bool) -> Response {
        let age = self.cache.freshnessNow() - cached.storedAt
        return Adapter.response(replaying: cached, status: status, age: age, forHEAD: head)
    }

    /// The handler's response, sent although storing it failed (a backend that is down, with `failOpen` off),
    /// marked `MISS`; the failure is counted and logged.
    private func storeFailed(
        _ loaded: ResponseLoad<Response>,
        _ error: CacheError,
        key: String,
        endpoint: CacheEndpoint,
        head: Bool,
        span: (any Span)?,
        logger: Logger
    ) throws -> Response {
        NotStoredRecording(boundary: endpoint.name, counters: self.notStored, span: span, logger: logger)(
            .storeFailed)
        logger.warning(
            "response cache unavailable; the response was sent without being stored",
            metadata: [
                "cache.boundary": "\(endpoint.name)",
                "error.message": "\(self.cache.describeForTelemetry(error, key: key))",
            ]
        )
        return try self.missAnswer(loaded, head: head)
    }

    /// The handler's answer to a request whose read-through did not return it, marked `MISS`.
    private func missAnswer(_ loaded: ResponseLoad<Response>, head: Bool) throws -> Response {
        switch loaded {
        case .stored(let cached):
            return Adapter.response(replaying: cached, status: .miss, age: nil, forHEAD: head)
        case .notStored(let response):
            return Adapter.marked(self.delivered(response), .miss)
        case .clientError(let error):
            throw Adapter.markedError(error, .miss)
        }
    }

    /// Runs the handler and returns its response: collected, to be stored and shared, when its length is declared
    /// and within the limit; forwarded as it is written, and stored at its end (``StreamedResponseStore``), when
    /// its length is unknown; sent as it is otherwise.
    ///
    /// The response's `Cache-Tag` and `Surrogate-Key` tags are stored with it (``LoadResult/tags``), and the headers
    /// removed from what is stored and sent unless ``Configuration/keepsTagHeaders``.
    private func load(
        _ next: () async throws -> Response,
        key: String,
        endpoint: CacheEndpoint,
        tags: [String],
        head: Bool,
        span: (any Span)?,
        logger: Logger
    ) async throws -> LoadResult<ResponseLoad<Response>> {
        let started = ContinuousClock.now
        var response = try await next()
        let limit = min(self.configuration.maximumBodySize, CachedResponseFormat.largestPart)
        let notStored = NotStoredRecording(
            boundary: endpoint.name, counters: self.notStored, span: span, logger: logger)
        var responseHead = Adapter.head(of: response)
        var headerTags: [String] = []
        let refusal: NotStoredReason
        if head {
            refusal = .head
        } else if let reason = self.storability[endpoint.name]?.refusal(for: responseHead) {
            refusal = reason
        } else if case .overBound = self.readTags(responseHead, into: &headerTags) {
            refusal = .tagHeaderOverBound
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
                    let stored = CachedResponse(
                        status: responseHead.status,
                        headers: ResponseStorability.storedHeaders(self.deliveredFields(responseHead.headerFields)),
                        body: collected.bytes,
                        storedAt: self.cache.freshnessNow()
                    )
                    return LoadResult(.stored(stored), tags: headerTags)
                }
            case .unknown:
                // Not shared: concurrent requests for the key are released to run their own handler now.
                let store = StreamedResponseStore(
                    cache: self.cache, coding: self.coding, key: key, endpoint: endpoint,
                    tags: tags + headerTags.filter { !tags.contains($0) }, limit: limit, started: started,
                    guarded: GuardedLoad.current, notStored: notStored
                )
                responseHead.headerFields = self.deliveredFields(responseHead.headerFields)
                return LoadResult(
                    .notStored(
                        Adapter.forwardingBody(of: self.delivered(response), copying: store.copy(of: responseHead))))
            }
        }
        notStored(refusal)
        return LoadResult(.notStored(response))
    }

    /// Reads the tags of `head`'s `Cache-Tag` and `Surrogate-Key` headers into `tags`, within the configured bound.
    private func readTags(_ head: HTTPResponse, into tags: inout [String]) -> ResponseTagHeaders.Outcome {
        let outcome = ResponseTagHeaders.read(head.headerFields, limit: self.configuration.maximumHeaderTags)
        if case .tags(let read) = outcome { tags = read }
        return outcome
    }

    /// `response` as the client sees it: without its tag headers unless ``Configuration/keepsTagHeaders``.
    private func delivered(_ response: Response) -> Response {
        guard !self.configuration.keepsTagHeaders,
            ResponseTagHeaders.present(in: Adapter.head(of: response).headerFields)
        else { return response }
        return Adapter.removing(ResponseTagHeaders.names, from: response)
    }

    /// `fields` as the client sees them: without the tag headers unless ``Configuration/keepsTagHeaders``.
    private func deliveredFields(_ fields: HTTPFields) -> HTTPFields {
        self.configuration.keepsTagHeaders ? fields : ResponseTagHeaders.removed(from: fields)
    }

    /// Runs a write that matches invalidation rules: when its response is a 2xx, invalidates the tags the rules
    /// build from it, then returns the response (marked `BYPASS`), so that a client that reads after its write
    /// reads what it wrote. A failed invalidation follows the cache's rules: with `failOpen` it is kept for replay
    /// (and the cache reads nothing from the backend until it is replayed); without, the error is thrown.
    private func respondInvalidating(
        _ invalidation: TagInvalidation,
        logger: Logger,
        next: () async throws -> Response
    ) async throws -> Response {
        let span = self.requestSpan()
        let recording = span.flatMap { $0.isRecording ? $0 : nil }
        recording?.attributes["cache.invalidation.rules"] = invalidation.rules
        let response: Response
        do {
            response = try await next()
        } catch {
            self.invalidations?.count(rules: invalidation.rules, .notSuccessful)
            recording?.attributes["cache.invalidation.result"] = InvalidationOutcome.notSuccessful.rawValue
            throw Adapter.markedError(error, .bypass)
        }
        guard TagInvalidation.invalidates(status: Adapter.head(of: response).status.code) else {
            self.invalidations?.count(rules: invalidation.rules, .notSuccessful)
            recording?.attributes["cache.invalidation.result"] = InvalidationOutcome.notSuccessful.rawValue
            return Adapter.marked(self.delivered(response), .bypass)
        }
        if invalidation.skippedTemplates > 0 {
            self.invalidations?.count(rules: invalidation.rules, .skippedTag)
            logger.warning(
                "an invalidation rule names a tag the request does not give a value for; that tag is not invalidated",
                metadata: [
                    "cache.invalidation.rules": "\(invalidation.rules)",
                    "cache.invalidation.skipped": "\(invalidation.skippedTemplates)",
                ]
            )
        }
        do {
            try await self.cache.invalidate(tags: invalidation.tags)
        } catch {
            self.invalidations?.count(rules: invalidation.rules, .failed)
            recording?.attributes["cache.invalidation.result"] = InvalidationOutcome.failed.rawValue
            logger.error(
                "invalidation after a successful write failed; the client gets the error",
                metadata: ["cache.invalidation.rules": "\(invalidation.rules)", "error.type": "\(error.code)"]
            )
            throw Adapter.markedError(error, .bypass)
        }
        self.invalidations?.count(rules: invalidation.rules, .invalidated)
        recording?.attributes["cache.invalidation.result"] = InvalidationOutcome.invalidated.rawValue
        return Adapter.marked(self.delivered(response), .bypass)
    }

    /// The span of the request being handled (the framework's tracing middleware starts it), when the tracer can
    /// look spans up.
    private func requestSpan() -> (any Span)? {
        // The cache's tracer (read once when it was made, unless it resolves its tracer per call): an unobserved
        // request looks nothing up.
        guard let tracer = self.cache.tracerInForce, let context = ServiceContext.current else { return nil }
        return tracer.activeSpan(identifiedBy: context)
    }

    /// The handler's response (without its tag headers, unless kept), or error, marked `status`: `BYPASS` for a
    /// request the cache does not serve, `MISS` for one whose wait for another's load ended in a response that is
    /// not shared.
    private func passThrough(
        _ next: () async throws -> Response, marked status: CacheStatus = .bypass
    ) async throws -> Response {
        do {
            return Adapter.marked(self.delivered(try await next()), status)
        } catch {
            throw Adapter.markedError(error, status)
        }
    }
}

extension DecodedValueMemo where Value == CachedResponse {
    /// The response stored in `frame`, decoded once per stored bytes; `nil` for bytes that do not decode. The memo's
    /// reads run specialised for responses (``CacheLayer/DecodedValueMemo``).
    fileprivate func response(decodedFrom frame: FreshFrame) -> CachedResponse? {
        if let memoized = self.value(decodedFrom: frame.bytes) { return memoized }
        guard let decoded = try? CachedResponseFormat.decode(frame.value) else { return nil }
        self.remember(decoded, decodedFrom: frame.bytes)
        return decoded
    }
}
