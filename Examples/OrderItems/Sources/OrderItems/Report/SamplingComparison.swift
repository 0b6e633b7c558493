import CacheLayer

/// What the sampled traces show beside what CacheLayer's exact counters show, for one replay: the tracer keeps a
/// share of the request traces, the boundary's counters count every request.
public struct SamplingComparison: Sendable {
    /// Requests the replay sent.
    public var requests: Int
    /// The boundary's decisions, hits and misses as ``CacheBoundaries/statistics()`` counted them: every request.
    public var exact: BoundaryStatistics
    /// Server spans (one per request) the tracer kept.
    public var sampledRequests: Int
    /// `cache.get` spans the tracer kept, and how many of them were hits.
    public var sampledCacheGets: Int
    public var sampledCacheHits: Int

    /// Compares `exact` with the spans `spans` counted.
    public init(requests: Int, exact: BoundaryStatistics, spans: SpanSummary) {
        self.requests = requests
        self.exact = exact
        self.sampledRequests = spans.counts[OrderItemsBoundary.path] ?? 0
        self.sampledCacheGets = spans.cacheGetHits + spans.cacheGetMisses
        self.sampledCacheHits = spans.cacheGetHits
    }

    /// Every decision the boundary made.
    public var exactDecisions: Int { self.exact.decisions.values.reduce(0, +) }

    /// The share of request traces kept.
    public var keptShare: Double {
        self.requests == 0 ? 0 : Double(self.sampledRequests) / Double(self.requests)
    }

    /// `sampling  12% of request traces kept (61 of 500; cache.get 20, 14 hits); exact counters: 500 decisions,
    /// 180 hits, 32 misses`.
    public var line: String {
        "sampling       \(ReportText.percent(self.keptShare)) of request traces kept (\(self.sampledRequests) of \(self.requests); cache.get spans \(self.sampledCacheGets), \(self.sampledCacheHits) hits); exact counters: \(self.exactDecisions) decisions, \(self.exact.hits) hits, \(self.exact.misses) misses"
    }
}
