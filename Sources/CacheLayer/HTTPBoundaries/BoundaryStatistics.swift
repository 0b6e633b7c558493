/// A snapshot of one boundary's exact counters since its ``CacheBoundaries`` was made: what it decided, what the
/// cached requests found, how many distinct keys they used, and how long requests took with and without a hit.
///
/// Read them with ``CacheBoundaries/statistics()``; the difference of two snapshots is what happened in between,
/// which is how a health monitor reads the last minute. Unlike traces, these are never sampled.
///
/// The counts are exact; ``distinctKeys`` is an estimate (a HyperLogLog sketch of the keys, about 1.6% standard
/// error, close to exact below a few thousand keys), since counting distinct keys exactly would keep every key.
public struct BoundaryStatistics: Sendable, Equatable {
    /// Decisions by name: `cache`, or a ``BypassReason`` name (`deep_page`, `uncommon_filter`, ...). A name never
    /// decided may be absent.
    public var decisions: [String: Int]
    /// Cached requests served from the cache (``BoundaryDecision/recordRead(servedFromCache:duration:)``).
    public var hits: Int
    /// Cached requests that went to the origin.
    public var misses: Int
    /// The estimated number of distinct keys the boundary's `cache` decisions produced.
    public var distinctKeys: Int
    /// Durations of requests served from the cache.
    public var hitLatency: LatencyHistogram
    /// Durations of requests that were not: cache misses and bypasses whose caller recorded them.
    public var missLatency: LatencyHistogram

    /// Creates a snapshot (for tests and for sources other than ``CacheBoundaries``).
    public init(
        decisions: [String: Int] = [:],
        hits: Int = 0,
        misses: Int = 0,
        distinctKeys: Int = 0,
        hitLatency: LatencyHistogram = LatencyHistogram(),
        missLatency: LatencyHistogram = LatencyHistogram()
    ) {
        self.decisions = decisions
        self.hits = hits
        self.misses = misses
        self.distinctKeys = distinctKeys
        self.hitLatency = hitLatency
        self.missLatency = missLatency
    }

    /// Requests that bypassed the cache, all reasons together.
    public var bypasses: Int {
        self.decisions.reduce(0) { $0 + ($1.key == "cache" ? 0 : $1.value) }
    }
}
