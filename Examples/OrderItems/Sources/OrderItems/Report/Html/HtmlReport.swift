import Foundation

/// The main job's HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with the
/// boundaries' figures, the miss rate over time with the monitor's band, latency by hit and miss, memory, and the
/// sampled spans beside the exact counters.
public struct HtmlReport: Sendable {
    /// Lines about the run (database, cache, telemetry, visits), shown at the top.
    public var context: [String]
    /// Each replayed boundary.
    public var boundaries: [BoundaryReport]
    /// Each boundary's sampled spans beside its exact counters, in the order of ``boundaries`` (`nil`: not known).
    public var sampling: [SamplingComparison?]
    /// The health scenarios, when they ran.
    public var timeline: HealthTimeline?

    /// Creates a report.
    public init(
        context: [String], boundaries: [BoundaryReport], sampling: [SamplingComparison?], timeline: HealthTimeline?
    ) {
        self.context = context
        self.boundaries = boundaries
        self.sampling = sampling
        self.timeline = timeline
    }

    /// `page 1` or `pages 1-3`.
    static func pages(_ highestCachedPage: Int) -> String {
        highestCachedPage == 1 ? "page 1" : "pages 1-\(highestCachedPage)"
    }

    /// Writes the document to `url`, creating its folder.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(self.document.utf8).write(to: url, options: .atomic)
    }

    /// The whole document.
    public var document: String {
        var body: [String] = []
        body.append("<h1>Order items: what the cache did</h1>")
        body.append("<ul class=\"context\">" + self.context.map { "<li>\(Html.escape($0))</li>" }.joined() + "</ul>")
        body.append(self.boundaryTable)
        if let timeline = self.timeline {
            body.append("<h2>Miss rate over time, with the health monitor's band</h2>")
            body.append(
                "<p>The cache health monitor learns the boundary's normal miss rate during its warm-up, then raises an anomaly when an interval's miss rate leaves the band upwards, naming the likely cause. Pages 1-3 are cached; each shaded stretch is a change, rolled back before the next.</p>"
            )
            body.append("<figure>" + MissRateChart(timeline: timeline).svg + "</figure>")
            body.append(self.anomalyTable(timeline))
        }
        body.append("<h2>Latency by hit and miss</h2>")
        body.append(
            "<p>p50 and p95 of responses the cache served (HIT) and of those the database computed (MISS, BYPASS), as the replaying client measured them.</p>"
        )
        body.append("<figure>" + LatencyChart(reports: self.boundaries).svg + "</figure>")
        let memory = MemoryChart(reports: self.boundaries, timeline: self.timeline)
        body.append("<h2>Memory</h2>")
        if let svg = memory.boundariesSvg {
            body.append("<p>What the memory tier held after each boundary's replay, as its budget counts bytes.</p>")
            body.append("<figure>" + svg + "</figure>")
        } else {
            body.append(
                "<p>The boundaries' cache memory is not visible from this process (on Redis: read INFO memory).</p>")
        }
        if let svg = memory.scenariosSvg {
            body.append("<p>The memory tier during the health scenarios.</p>")
            body.append("<figure>" + svg + "</figure>")
        }
        body.append(self.samplingTable)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Order items: cache report</title>
            <style>
            \(Self.style)
            </style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    private var boundaryTable: String {
        var rows = [
            "<tr><th>boundary</th><th>requests</th><th>miss rate</th><th>HIT p50 / p95</th><th>MISS+BYPASS p50 / p95</th><th>memory</th></tr>"
        ]
        for report in self.boundaries {
            let summary = report.summary
            let memory = report.memory.map { "\(ReportText.bytes($0.bytes)), \($0.entries) entries" } ?? "not visible"
            rows.append(
                "<tr><td>\(Self.pages(report.highestCachedPage))</td><td class=\"n\">\(summary.requests)</td><td class=\"n\">\(ReportText.percent(summary.missRate))</td><td class=\"n\">\(ReportText.milliseconds(summary.cached.p50)) / \(ReportText.milliseconds(summary.cached.p95))</td><td class=\"n\">\(ReportText.milliseconds(summary.uncached.p50)) / \(ReportText.milliseconds(summary.uncached.p95))</td><td class=\"n\">\(Html.escape(memory))</td></tr>"
            )
        }
        return "<h2>Boundaries</h2><table>" + rows.joined() + "</table>"
    }

    private func anomalyTable(_ timeline: HealthTimeline) -> String {
        var rows = [
            "<tr><th>phase</th><th>expected</th><th>monitor said</th><th>fired after</th><th>miss rate / band</th><th>causes</th></tr>"
        ]
        for (index, phase) in timeline.phases.enumerated() {
            let scenario = phase.plan.scenario
            let expected = scenario.expectedCause ?? "no anomaly"
            let title = scenario == .steady && index > 0 ? "steady again (change rolled back)" : scenario.title
            guard let (into, anomaly) = phase.anomalies.first else {
                let verdict = scenario.expectedCause == nil ? "ok" : "bad"
                rows.append(
                    "<tr><td>\(Html.escape(title))</td><td>\(expected)</td><td class=\"\(verdict)\">no anomaly</td><td class=\"n\">none in \(phase.intervals.count * timeline.requestsPerInterval)</td><td class=\"n\">\(ReportText.percent(phase.summary.missRate))</td><td></td></tr>"
                )
                continue
            }
            let verdict = anomaly.kind == scenario.expectedCause ? "ok" : "bad"
            rows.append(
                "<tr><td>\(Html.escape(title))</td><td>\(expected)</td><td class=\"\(verdict)\">\(Html.escape(anomaly.kind))</td><td class=\"n\">\(into) requests</td><td class=\"n\">\(ReportText.percent(anomaly.missRate)) / up to \(ReportText.percent(anomaly.upperBound))</td><td>\(Html.escape(anomaly.causes.map(\.description).joined(separator: "; ")))</td></tr>"
            )
        }
        let note =
            "<p class=\"note\">False positives in this replay: \(timeline.falsePositives) in \(timeline.judgedSteadyIntervals) judged steady intervals. The rate over a long steady replay is in Benchmarks/README.md.</p>"
        return "<table>" + rows.joined() + "</table>" + note
    }

    private var samplingTable: String {
        let pairs = zip(self.boundaries, self.sampling).compactMap { report, sampling in sampling.map { (report, $0) } }
        guard !pairs.isEmpty else { return "" }
        var rows = [
            "<tr><th>boundary</th><th>requests</th><th>request traces kept</th><th>cache.get spans kept (hits)</th><th>exact decisions</th><th>exact hits / misses</th></tr>"
        ]
        for (report, sampling) in pairs {
            rows.append(
                "<tr><td>\(Self.pages(report.highestCachedPage))</td><td class=\"n\">\(sampling.requests)</td><td class=\"n\">\(sampling.sampledRequests) (\(ReportText.percent(sampling.keptShare)))</td><td class=\"n\">\(sampling.sampledCacheGets) (\(sampling.sampledCacheHits))</td><td class=\"n\">\(sampling.exactDecisions)</td><td class=\"n\">\(sampling.exact.hits) / \(sampling.exact.misses)</td></tr>"
            )
        }
        return
            "<h2>Sampled traces, exact counters</h2><p>The tracer keeps a share of the read traces (every write and every health-monitor span); CacheLayer's counters count every request whatever it drops.</p><table>"
            + rows.joined() + "</table>"
    }

    static let style = """
        body { margin: 0; background: #f6f7f9; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 960px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
        h1 { font-size: 26px; margin: 0 0 8px; }
        h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #e3e6ea; padding-bottom: 4px; }
        ul.context { margin: 0 0 8px; padding-left: 18px; color: #555; font-size: 13px; }
        figure { margin: 8px 0 12px; }
        svg { width: 100%; height: auto; display: block; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
        th { background: #f0f2f5; font-weight: 600; }
        td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.ok { color: #1d6f3f; font-weight: 600; }
        td.bad { color: #b42318; font-weight: 600; }
        p { margin: 6px 0; }
        p.note { color: #555; font-size: 13px; }
        """
}
