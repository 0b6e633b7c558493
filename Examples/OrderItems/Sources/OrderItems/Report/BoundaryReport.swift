import CacheLayer

/// The lines the main job prints for one boundary.
public struct BoundaryReport: Sendable {
    /// The deepest cached page.
    public var highestCachedPage: Int
    /// What the replay showed.
    public var summary: ReplaySummary
    /// The memory backend's entries and bytes after the replay; `nil` on Redis.
    public var memory: MemoryBackend.Statistics?
    /// Visits in flight at once.
    public var concurrency: Int

    /// Creates a report.
    public init(highestCachedPage: Int, summary: ReplaySummary, memory: MemoryBackend.Statistics?, concurrency: Int) {
        self.highestCachedPage = highestCachedPage
        self.summary = summary
        self.memory = memory
        self.concurrency = concurrency
    }

    /// The report, one line per fact.
    public var lines: [String] {
        let summary = self.summary
        let pages = self.highestCachedPage == 1 ? "page 1" : "pages 1-\(self.highestCachedPage)"
        let seconds = ReportText.fixed(
            Double(summary.wallTime.components.seconds) + Double(summary.wallTime.components.attoseconds) / 1e18,
            digits: 1)
        let reasons = summary.bypassReasons.sorted { $0.value > $1.value }
            .map { "\($0.key) \(ReportText.percent(summary.share(of: $0.value)))" }.joined(separator: ", ")
        var lines = [
            "Boundary: \(pages) cached, with the common filters",
            "  requests       \(summary.requests) in \(seconds) s, \(self.concurrency) at a time; failed: \(summary.failures)",
            "  miss rate      \(ReportText.percent(summary.missRate)) (MISS+BYPASS over all): MISS \(ReportText.percent(summary.share(of: summary.count("MISS")))), BYPASS \(ReportText.percent(summary.share(of: summary.count("BYPASS"))))\(reasons.isEmpty ? "" : " (\(reasons))"), HIT \(ReportText.percent(summary.share(of: summary.count("HIT"))))",
            "  cached         p50 \(ReportText.milliseconds(summary.cached.p50)), p95 \(ReportText.milliseconds(summary.cached.p95))  (HIT, \(summary.cached.count) responses)",
            "  uncached       p50 \(ReportText.milliseconds(summary.uncached.p50)), p95 \(ReportText.milliseconds(summary.uncached.p95))  (MISS+BYPASS, \(summary.uncached.count) responses)",
        ]
        if let memory = self.memory {
            lines.append(
                "  cache memory   \(memory.entries) entries, \(ReportText.bytes(memory.bytes)) (as the memory backend counts them)"
            )
        } else {
            lines.append("  cache memory   not visible from here on Redis (INFO memory, or RedisServerMetrics)")
        }
        return lines
    }
}
