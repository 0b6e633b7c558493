/// One boundary's miss rate in one interval, beside the band the monitor judged it against: what a dashboard or a
/// report charts as "miss rate over time with the band". A ``CacheHealthMonitor`` passes one per boundary and
/// interval to its `onInterval` callback, warm-up intervals included.
public struct BoundaryBand: Sendable, Equatable {
    /// The boundary (endpoint name).
    public var boundary: String
    /// The end of the interval, on the monitor's clock.
    public var at: Duration
    /// The boundary's requests in the interval.
    public var requests: Int
    /// Requests not served from the cache (misses and bypasses) over all the boundary's requests, 0...1.
    public var missRate: Double
    /// The baseline miss rate the interval was judged against (learned before it; during the warm-up, what was
    /// learned so far).
    public var expectedMissRate: Double
    /// The top of the band: a miss rate above it is anomalous. `nil` during the warm-up, when nothing is judged.
    public var upperBound: Double?

    /// Creates a band reading.
    public init(
        boundary: String, at: Duration, requests: Int, missRate: Double, expectedMissRate: Double,
        upperBound: Double?
    ) {
        self.boundary = boundary
        self.at = at
        self.requests = requests
        self.missRate = missRate
        self.expectedMissRate = expectedMissRate
        self.upperBound = upperBound
    }

    /// Whether the interval's miss rate was above its band (never during the warm-up).
    public var isAboveBand: Bool {
        self.upperBound.map { self.missRate > $0 } ?? false
    }
}
