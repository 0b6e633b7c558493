import CacheLayer
import CacheLayerHTTP
import HTTPTypes
import Hummingbird

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
/// - Entries carry their boundary's ``CacheLayer/CacheEndpoint/tags`` and the tags the handler names in `Cache-Tag`
///   or `Surrogate-Key` (removed from responses unless ``Configuration/keepsTagHeaders``). A `POST`, `PUT`, `PATCH`
///   or `DELETE` matching one of the boundaries' ``CacheLayer/CacheInvalidationRule``s and answered with a 2xx
///   invalidates the rule's tags before its response is returned.
/// - The request's span (from Hummingbird's `TracingMiddleware`) gets `cache.boundary` and `cache.decision`; the
///   `cache.get` and `cache.put` spans, and the handler's own, nest under it. Problems of the cache itself (a backend
///   that is down with `failOpen` off) make the request bypass the cache rather than fail; a lock wait that gives up
///   with ``CacheLayer/LoadPolicy/Lock/TimeoutBehaviour/fail`` answers 503.
///
/// What it does is the framework-neutral response cache of ``CacheLayerHTTP``, which the Vapor middleware shares;
/// this type reads Hummingbird's requests and responses for it.
public struct ResponseCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The cache responses are stored in.
    public var cache: Cache { self.core.cache }
    /// Which requests are cached, under which keys, for how long.
    public var boundaries: CacheBoundaries { self.core.boundaries }
    /// What is stored and how users are told apart.
    public let configuration: Configuration

    private let core: ResponseCache<HummingbirdResponseAdapter>

    /// Creates the middleware.
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a negative maximum body size, no
    ///   cacheable status, or a negative ``Configuration/maximumHeaderTags``.
    public init(cache: Cache, boundaries: CacheBoundaries, configuration: Configuration = .init()) throws(CacheError) {
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
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await self.core.respond(
            isCandidate: ResponseCache<HummingbirdResponseAdapter>.isCandidate(
                method: request.method, isOriginForm: request.uri.scheme == nil && request.uri.host == nil),
            request: { Self.queryParameters(request.uri.query).map { self.cacheRequest(request, context, query: $0) } },
            writeReadings: {
                WriteQueryReadings.readings(of: request.uri.query, strict: Self.queryParameters).map {
                    self.cacheRequest(request, context, query: $0)
                }
            },
            isHEAD: request.method == .head,
            logger: context.logger,
            next: { try await next(request, context) }
        )
    }

    /// What the boundaries need to know about `request`, as the handler sees it: method, scheme, authority, path,
    /// `query` (read by ``queryParameters(_:)``, or for a write, ``WriteQueryReadings``), every value of the headers
    /// they look at, the user, and whether the application says it is personal.
    private func cacheRequest(
        _ request: Request, _ context: Context, query: [(name: String, value: String)]
    ) -> CacheRequest {
        CacheRequest(
            method: request.method.rawValue,
            scheme: request.head.scheme,
            authority: request.head.authority,
            path: request.uri.path,
            query: query,
            headers: self.core.keyedValues(of: request.headers),
            userID: self.configuration.userID?(request, context),
            isPersonalised: self.configuration.isPersonalised?(request, context) ?? false
        )
    }

    /// The query's parameters, in request order, as both of Hummingbird's readers give them to a handler, or `nil`
    /// when the two could differ, so that two requests never share a key when a handler could tell them apart.
    ///
    /// `request.uri.queryParameters` keeps names as sent, keeps `+`, and falls back to the raw text for a value that
    /// is not valid percent-encoding, and reads `flag` as `flag=`; `request.uri.decodeQuery(as:context:)` decodes
    /// names too, reads `+` as a space, refuses bad percent-encoding, and skips `flag`. They agree on a part with an
    /// `=`, no `+`, a name with no `%`, and a value that is valid percent-encoding: anything else bypasses the cache.
    /// Both look for `&`, `=`, `+` and `%` byte by byte, and so does this: searched as characters, one of them
    /// followed by a combining mark is another character, and would be missed where the readers see it.
    static func queryParameters(_ query: String?) -> [(name: String, value: String)]? {
        guard let query, !query.isEmpty else { return [] }
        var parameters: [(name: String, value: String)] = []
        for bytes in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            // Split at ASCII bytes, so every piece is whole UTF-8.
            let part = query[bytes.startIndex..<bytes.endIndex]
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")), !bytes.contains(UInt8(ascii: "+")) else {
                return nil
            }
            let name = part[..<equals]
            let rawValue = part[part.utf8.index(after: equals)...]
            guard !name.utf8.contains(UInt8(ascii: "%")) else { return nil }
            guard let value = PercentDecoding.decode(rawValue) else { return nil }
            parameters.append((name: String(name), value: value))
        }
        return parameters
    }
}
