import CoreMetrics

extension ResponseCache {
    /// What the response cache stores, whichever framework serves it: each middleware's public configuration maps
    /// onto it (the framework-specific parts, such as how to read the user of a request, stay with the middleware).
    package struct Configuration: Sendable {
        /// The response statuses that are stored.
        package var cacheableStatuses: Set<Int>
        /// The largest body stored, in bytes.
        package var maximumBodySize: Int
        /// Where `cache.responses_not_stored` is counted; `nil` uses the global factory as it is when the cache is
        /// made.
        package var metricsFactory: (any MetricsFactory)?
        /// The most tags a response's `Cache-Tag` and `Surrogate-Key` headers may name together; past it the
        /// response is not stored (``NotStoredReason/tagHeaderOverBound``).
        package var maximumHeaderTags: Int
        /// Whether the client sees `Cache-Tag` and `Surrogate-Key` (a CDN in front reads them); by default they are
        /// removed from every response.
        package var keepsTagHeaders: Bool

        package init(
            cacheableStatuses: Set<Int>,
            maximumBodySize: Int,
            metricsFactory: (any MetricsFactory)?,
            maximumHeaderTags: Int = ResponseTagHeaders.defaultLimit,
            keepsTagHeaders: Bool = false
        ) {
            self.cacheableStatuses = cacheableStatuses
            self.maximumBodySize = maximumBodySize
            self.metricsFactory = metricsFactory
            self.maximumHeaderTags = maximumHeaderTags
            self.keepsTagHeaders = keepsTagHeaders
        }
    }
}
