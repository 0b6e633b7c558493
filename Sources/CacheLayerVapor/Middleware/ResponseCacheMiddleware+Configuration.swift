#if VaporSupport
import CoreMetrics
import Vapor

extension ResponseCacheMiddleware {
    /// What the middleware stores and how it tells users apart (the same settings as the Hummingbird middleware's).
    public struct Configuration: Sendable {
        /// The response statuses that are stored (by default only 200). Others pass through uncached, and so do,
        /// whatever this holds, 1xx, 206, 304 and 5xx responses.
        public var cacheableStatuses: Set<Int>
        /// The largest body stored, in bytes (by default 1 MiB). A larger response is sent as it is and not stored.
        /// A streamed body is never stored (``CacheLayerHTTP/NotStoredReason/streamed``).
        public var maximumBodySize: Int
        /// The authenticated user of a request, for endpoints whose scope is per user: part of the key. `nil` (the
        /// default), or a closure returning `nil`, makes such endpoints bypass the cache.
        public var userID: (@Sendable (Request) -> String?)?
        /// Whether a request's response depends on who asks, beyond the boundaries' identity headers. A request it
        /// returns `true` for bypasses shared endpoints (`personalised`). `nil` (the default): none.
        public var isPersonalised: (@Sendable (Request) -> Bool)?
        /// Where `cache.responses_not_stored` is counted; `nil` (the default) uses the global factory as it is when
        /// the middleware is made.
        public var metricsFactory: (any MetricsFactory)?
        /// The most tags a response's `Cache-Tag` (comma-separated) and `Surrogate-Key` (space-separated) headers
        /// may name together (64 by default); a response over it, or with a tag longer than
        /// ``CacheLayer/CacheTag/maximumLength`` bytes, is sent but not stored (`tag_header_over_bound`).
        public var maximumHeaderTags: Int
        /// Whether clients see `Cache-Tag` and `Surrogate-Key` (for a CDN in front that reads them); `false` by
        /// default: the middleware removes them from every response, once it has stored the tags with the entry.
        public var keepsTagHeaders: Bool

        /// Creates a configuration.
        public init(
            cacheableStatuses: Set<Int> = [200],
            maximumBodySize: Int = 1 << 20,
            userID: (@Sendable (Request) -> String?)? = nil,
            isPersonalised: (@Sendable (Request) -> Bool)? = nil,
            metricsFactory: (any MetricsFactory)? = nil,
            maximumHeaderTags: Int = 64,
            keepsTagHeaders: Bool = false
        ) {
            self.cacheableStatuses = cacheableStatuses
            self.maximumBodySize = maximumBodySize
            self.userID = userID
            self.isPersonalised = isPersonalised
            self.metricsFactory = metricsFactory
            self.maximumHeaderTags = maximumHeaderTags
            self.keepsTagHeaders = keepsTagHeaders
        }
    }
}
#endif
