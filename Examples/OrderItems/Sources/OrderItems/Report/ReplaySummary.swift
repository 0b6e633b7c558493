import CacheLayer

/// What one boundary's replay showed: the endpoint's miss rate (split by `X-Cache` and bypass reason) and the
/// latency of cached against uncached responses.
public struct ReplaySummary: Sendable {
    /// Visits sent.
    public var requests: Int
    /// Visits that failed or did not answer 200.
    public var failures: Int
    /// Responses by `X-Cache` value (`none` when the header was missing).
    public var byCacheStatus: [String: Int]
    /// `BYPASS` responses by the reason the boundary gives for them.
    public var bypassReasons: [String: Int]
    /// `HIT` and `STALE` responses.
    public var cached: LatencyPercentiles
    /// `MISS` and `BYPASS` responses.
    public var uncached: LatencyPercentiles
    /// From the first visit sent to the last response.
    public var wallTime: Duration

    /// Summarises `records`; `pagination` names the reason of each bypass as the server's boundary decided it.
    public init(records: [ReplayRecord], pagination: PaginationBoundary, wallTime: Duration) {
        self.requests = records.count
        self.failures = records.filter { $0.status != 200 }.count
        self.byCacheStatus = records.reduce(into: [:]) { $0[$1.cacheStatus ?? "none", default: 0] += 1 }
        self.bypassReasons = records.filter { $0.cacheStatus == "BYPASS" }.reduce(into: [:]) { counts, record in
            let decision = pagination.decide(path: OrderItemsBoundary.path, query: record.visit.query.parameters)
            let reason = if case .bypass(let reason) = decision { reason.name } else { "other" }
            counts[reason, default: 0] += 1
        }
        self.cached = LatencyPercentiles(records.filter(\.isCached).map(\.latency))
        self.uncached = LatencyPercentiles(records.filter(\.isUncached).map(\.latency))
        self.wallTime = wallTime
    }

    /// `MISS` and `BYPASS` over all responses.
    public var missRate: Double {
        self.share(of: self.count("MISS") + self.count("BYPASS"))
    }

    /// Responses with this `X-Cache` value.
    public func count(_ cacheStatus: String) -> Int {
        self.byCacheStatus[cacheStatus] ?? 0
    }

    /// `count` as a fraction of all responses.
    public func share(of count: Int) -> Double {
        self.requests == 0 ? 0 : Double(count) / Double(self.requests)
    }
}
