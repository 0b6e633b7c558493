import CoreMetrics

/// The two-tier backend's counters: hits per tier, invalidations received, and flushes of the memory tier by
/// cause. (The memory tier's size is its own `cache.memory.bytes` and `cache.memory.entries`.)
struct TwoTierMetrics: Sendable {
    /// Why the memory tier was flushed.
    enum FlushCause: String, CaseIterable {
        /// The server flushed its data (a null invalidation).
        case serverFlush = "server_flush"
        /// An invalidation connection was lost: what memory holds may miss changes.
        case connectionLost = "connection_lost"
        /// The cluster's masters changed.
        case topologyChange = "topology_change"
        /// A namespace was flushed through this backend.
        case namespaceFlush = "namespace_flush"
    }

    let memoryHits: Counter
    let redisHits: Counter
    let invalidations: Counter
    private let flushes: [FlushCause: Counter]

    /// `nil` for the no-op factory, so an unobserved backend does no metric work.
    init?(factory: any MetricsFactory, label: String) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        func hits(_ tier: String) -> Counter {
            Counter(label: "cache.tier.hits", dimensions: [("backend", label), ("tier", tier)], factory: factory)
        }
        self.memoryHits = hits("memory")
        self.redisHits = hits("redis")
        self.invalidations = Counter(
            label: "cache.tier.invalidations", dimensions: [("backend", label)], factory: factory)
        var flushes: [FlushCause: Counter] = [:]
        for cause in FlushCause.allCases {
            flushes[cause] = Counter(
                label: "cache.tier.flushes", dimensions: [("backend", label), ("cause", cause.rawValue)],
                factory: factory)
        }
        self.flushes = flushes
    }

    func flushed(_ cause: FlushCause) {
        self.flushes[cause]?.increment()
    }
}
