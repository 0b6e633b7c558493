/// What one pass of the ``FaultScenario`` showed for the requests sent during the outage: how many failed (not a 200)
/// and how long the slowest took.
public struct FaultPassResult: Sendable {
    /// Whether the pass served stale pages when the database failed.
    public var staleIfError: Bool
    /// Every request of the pass.
    public var samples: [FaultSample]
    /// The outage, from the pass's start.
    public var outage: Range<Duration>

    /// The requests sent during the outage.
    public var duringOutage: [FaultSample] { self.samples.filter { self.outage.contains($0.sentAt) } }

    /// The share of requests sent during the outage that did not get a 200.
    public var errorRate: Double {
        let during = self.duringOutage
        guard !during.isEmpty else { return 0 }
        return Double(during.filter { $0.status != 200 }.count) / Double(during.count)
    }

    /// The 99th percentile (nearest rank) of the latencies of requests sent during the outage.
    public var p99: Duration? {
        let sorted = self.duringOutage.map(\.latency).sorted()
        guard !sorted.isEmpty else { return nil }
        let rank = Int((0.99 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    /// How many requests sent during the outage were answered with a stale page.
    public var staleAnswers: Int { self.duringOutage.filter { $0.cacheStatus == "STALE" }.count }

    /// The report's line for this pass.
    public var line: String {
        let name = self.staleIfError ? "with stale-if-error" : "without stale-if-error"
        let during = self.duringOutage
        let padded = name + String(repeating: " ", count: max(0, 24 - name.count))
        return "  \(padded) \(during.count) requests, "
            + "error rate \(ReportText.percent(self.errorRate)), p99 \(ReportText.milliseconds(self.p99)), "
            + "\(self.staleAnswers) STALE"
    }
}
