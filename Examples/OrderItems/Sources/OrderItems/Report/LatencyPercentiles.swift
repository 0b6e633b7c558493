/// The 50th and 95th percentiles (nearest rank) of a set of latencies.
public struct LatencyPercentiles: Sendable {
    /// How many latencies there were.
    public var count: Int
    /// The median; `nil` when there were none.
    public var p50: Duration?
    /// The 95th percentile; `nil` when there were none.
    public var p95: Duration?

    /// The percentiles of `latencies`.
    public init(_ latencies: [Duration]) {
        let sorted = latencies.sorted()
        self.count = sorted.count
        self.p50 = Self.nearestRank(0.50, of: sorted)
        self.p95 = Self.nearestRank(0.95, of: sorted)
    }

    private static func nearestRank(_ fraction: Double, of sorted: [Duration]) -> Duration? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
