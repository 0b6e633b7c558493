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

        package init(cacheableStatuses: Set<Int>, maximumBodySize: Int, metricsFactory: (any MetricsFactory)?) {
            self.cacheableStatuses = cacheableStatuses
            self.maximumBodySize = maximumBodySize
            self.metricsFactory = metricsFactory
        }
    }
}
