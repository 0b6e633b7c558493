/// A boundary whose miss rate left its band upwards, with what the monitor could see about why.
public struct CacheAnomaly: Sendable, Equatable {
    /// The boundary (endpoint name).
    public var boundary: String
    /// The `kind` dimension of `cache.anomalies`: the first cause's name, or `unknown` when none showed.
    public var kind: String {
        self.causes.first?.name ?? "unknown"
    }
    /// The likely causes, strongest first; empty when no counter explains the rise.
    public var causes: [AnomalyCause]
    /// The miss rate of the interval: requests of the boundary not served from the cache (misses and bypasses),
    /// over all its requests, 0...1.
    public var missRate: Double
    /// The baseline miss rate learned for the boundary.
    public var expectedMissRate: Double
    /// The top of the band: a miss rate above it is an anomaly.
    public var upperBound: Double
    /// The boundary's requests in the interval.
    public var requests: Int
    /// The interval's latency, read with the miss rate.
    public var latency: AnomalyLatency
    /// When the monitor saw it, on the monitor's clock.
    public var detectedAt: Duration

    /// Creates an anomaly.
    public init(
        boundary: String,
        causes: [AnomalyCause],
        missRate: Double,
        expectedMissRate: Double,
        upperBound: Double,
        requests: Int,
        latency: AnomalyLatency,
        detectedAt: Duration
    ) {
        self.boundary = boundary
        self.causes = causes
        self.missRate = missRate
        self.expectedMissRate = expectedMissRate
        self.upperBound = upperBound
        self.requests = requests
        self.latency = latency
        self.detectedAt = detectedAt
    }
}

/// The endpoint's latency in the interval of an anomaly: whether the misses brought the origin back onto the
/// critical path.
public struct AnomalyLatency: Sendable, Equatable {
    /// The p95 of every request (hits and misses together), if any was timed.
    public var p95: Duration?
    /// The p95 of requests the cache served.
    public var p95Hit: Duration?
    /// The p95 of requests that went to the origin.
    public var p95Miss: Duration?

    /// Creates a latency reading.
    public init(p95: Duration?, p95Hit: Duration?, p95Miss: Duration?) {
        self.p95 = p95
        self.p95Hit = p95Hit
        self.p95Miss = p95Miss
    }

    /// Whether the endpoint's p95 is set by the origin: it is at least twice the p95 of hits (or nothing was a hit)
    /// while misses were timed. A higher miss rate that leaves the p95 alone is usually harmless.
    public var originOnCriticalPath: Bool {
        guard let p95 = self.p95, self.p95Miss != nil else { return false }
        guard let hit = self.p95Hit else { return true }
        return p95 >= hit * 2
    }
}
