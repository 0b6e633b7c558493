#if VaporSupport
import CacheLayer
import CacheLayerHTTP
import Foundation
import HTTPTypes
import Tracing
import Vapor

/// Serves GET and HEAD responses from a CacheLayer ``CacheLayer/Cache``, endpoint by endpoint, as
/// ``CacheLayer/CacheBoundaries`` decide: the same response cache as the Hummingbird middleware (``CacheLayerHTTP``),
/// with the same key rule, storability rules, `X-Cache`/`Age` headers, single-flight and lock behaviour, spans and
/// metrics.
///
/// ```swift
/// app.middleware.use(TracingMiddleware())  // first: the cache's spans nest under the request's span
/// app.middleware.use(try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
/// ```
///
/// The key reads the query as Vapor's `req.query` decodes it (names and values percent-decoded, `+` as a space);
/// a query that does not decode bypasses the cache. Vapor lets a streamed body be read only whole, so streamed
/// responses are sent as they are and not stored. A lock wait that gives up answers 503; the handler's errors
/// (an `Abort`, or a route that does not exist) reach Vapor's `ErrorMiddleware` with `X-Cache` in their headers.
public struct ResponseCacheMiddleware: AsyncMiddleware {
    /// The cache responses are stored in.
    public var cache: CacheLayer.Cache { self.core.cache }
    /// Which requests are cached, under which keys, for how long.
    public var boundaries: CacheBoundaries { self.core.boundaries }
    /// What is stored and how users are told apart.
    public let configuration: Configuration

    private let core: ResponseCache<VaporResponseAdapter>

    /// Creates the middleware.
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a negative maximum body size, no
    ///   cacheable status, or a negative ``Configuration/maximumHeaderTags``.
    public init(
        cache: CacheLayer.Cache, boundaries: CacheBoundaries, configuration: Configuration = .init()
    ) throws(CacheError) {
        self.configuration = configuration
        self.core = try ResponseCache(
            cache: cache,
            boundaries: boundaries,
            configuration: .init(
                cacheableStatuses: configuration.cacheableStatuses,
                maximumBodySize: configuration.maximumBodySize,
                metricsFactory: configuration.metricsFactory,
                maximumHeaderTags: configuration.maximumHeaderTags,
                keepsTagHeaders: configuration.keepsTagHeaders
            )
        )
    }

    /// Serves `request` from the cache, or through `next` (storing the response when its boundary and headers allow),
    /// and marks the response with `X-Cache`.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Vapor keeps the request's span in `request.serviceContext` (its TracingMiddleware sets it).
        let url = request.url  // a read under the request's lock, and a copy: taken once
        return try await ServiceContext.withValue(request.serviceContext) {
            try await self.core.respond(
                isCandidate: Self.isCandidate(request, url),
                request: { self.cacheRequest(request, url) },
                writeReadings: { self.writeReadings(request, url) },
                isHEAD: request.method == .HEAD,
                logger: request.logger,
                next: { try await next.respond(to: request) }
            )
        }
    }

    /// What Vapor calls: as ``respond(to:chainingTo:)-(_,AsyncResponder)``, except that a fresh hit in a backend that
    /// answers without suspending (the in-memory tier) is answered on the request's event loop. Vapor runs async
    /// code on a task of its own, and the hop there and back cost a hit about 13 µs of CPU on the benchmark machine,
    /// a third of what serving it costs (Benchmarks/README.md, the HTTP hit results of 2026-12-03); misses, and reads
    /// that must wait for Redis, still take it.
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let url = request.url  // a read under the request's lock, and a copy: taken once
        let isCandidate = Self.isCandidate(request, url)
        func respondWithoutSuspending() -> ResponseCache<VaporResponseAdapter>.ImmediateAnswer {
            self.core.respondWithoutSuspending(
                isCandidate: isCandidate,
                request: { self.cacheRequest(request, url) },
                isHEAD: request.method == .HEAD
            )
        }
        // The request's span matters only to a tracer that records the cache's spans; a hit logs nothing.
        let answer =
            self.core.cache.tracerInForce == nil
            ? respondWithoutSuspending()
            : ServiceContext.withValue(request.serviceContext) { respondWithoutSuspending() }
        switch answer {
        case .served(let response):
            return request.eventLoop.makeSucceededFuture(response)
        case .decided(let decided):
            return request.eventLoop.makeFutureWithTask {
                try await ServiceContext.withValue(request.serviceContext) {
                    try await self.core.respond(
                        decided,
                        isHEAD: request.method == .HEAD,
                        logger: request.logger,
                        next: { try await next.respond(to: request).get() }
                    )
                }
            }
        case .undecided:
            return request.eventLoop.makeFutureWithTask {
                try await ServiceContext.withValue(request.serviceContext) {
                    try await self.core.respondUncached(
                        isCandidate: isCandidate,
                        writeReadings: { self.writeReadings(request, url) },
                        logger: request.logger,
                        next: { try await next.respond(to: request).get() }
                    )
                }
            }
        }
    }

    /// Whether the cache may serve `request` (whose `url` is given) at all: a GET or HEAD whose target is in origin
    /// form.
    private static func isCandidate(_ request: Request, _ url: URI) -> Bool {
        guard let method = HTTPRequest.Method(request.method.rawValue) else { return false }
        return ResponseCache<VaporResponseAdapter>.isCandidate(
            method: method, isOriginForm: url.scheme == nil && url.host == nil)
    }

    /// What the boundaries need to know about `request`, as the handler sees it: method, authority, path, query (as
    /// `req.query` decodes it, in request order), every value of the headers they look at, the user, and whether
    /// the application says it is personal; `nil` for a query that does not decode.
    private func cacheRequest(_ request: Request, _ url: URI) -> CacheRequest? {
        Self.queryParameters(url.query).map { self.cacheRequest(request, url, query: $0) }
    }

    /// The request under each way its handler may have read its query, for a write's invalidation
    /// (``WriteQueryReadings``).
    private func writeReadings(_ request: Request, _ url: URI) -> [CacheRequest] {
        WriteQueryReadings.readings(of: url.query, strict: Self.queryParameters).map {
            self.cacheRequest(request, url, query: $0)
        }
    }

    private func cacheRequest(_ request: Request, _ url: URI, query: [(name: String, value: String)]) -> CacheRequest {
        // The first `Host` field is the authority, as HTTP/1 servers built on swift-http-types (Hummingbird) make it;
        // any other `Host` field stays a header, and is keyed as one.
        var authority: String?
        var headers: [(name: String, value: String)] = []
        for (name, value) in request.headers {
            let canonical = name.lowercased()
            if authority == nil && canonical == "host" {
                authority = value
            } else if self.core.keyedHeaders.contains(canonical) {
                headers.append((name: canonical, value: value))
            }
        }
        return CacheRequest(
            method: request.method.rawValue,
            scheme: url.scheme,
            authority: authority,
            path: url.path,
            query: query,
            headers: headers,
            userID: self.configuration.userID?(request),
            isPersonalised: self.configuration.isPersonalised?(request) ?? false
        )
    }

    /// The query's parameters as Vapor's URL-encoded form decoder reads them (`+` is a space, then percent-decoding,
    /// names and values alike), in order; `nil` when a part is not valid percent-encoding, or has no `=` (the decoder
    /// reads `flag` as a flag, `true` for a `Bool`, and `flag=` as an empty string), so that two requests a handler
    /// could tell apart never meet under one key.
    static func queryParameters(_ query: String?) -> [(name: String, value: String)]? {
        guard let query, !query.isEmpty else { return [] }
        var parameters: [(name: String, value: String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, let name = Self.decoded(pair[0]), let value = Self.decoded(pair[1]) else {
                return nil
            }
            parameters.append((name: name, value: value))
        }
        return parameters
    }

    private static func decoded(_ part: Substring) -> String? {
        PercentDecoding.decode(part, plusIsSpace: true)
    }
}
#endif
