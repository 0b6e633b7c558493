import CacheLayerHealth

/// The lines the main job prints for the health scenarios: per phase, whether the monitor stayed quiet or when it
/// raised an anomaly (requests after the change) and what it said.
public struct HealthScenarioText: Sendable {
    /// What the replay showed.
    public var timeline: HealthTimeline

    /// The text of `timeline`.
    public init(_ timeline: HealthTimeline) {
        self.timeline = timeline
    }

    /// One line per phase, and one per anomaly.
    public var lines: [String] {
        let timeline = self.timeline
        var lines = [
            "Health scenarios: CacheHealthMonitor (default settings) on pages 1-3, one interval = \(timeline.requestsPerInterval) requests (a minute on the monitor's clock); \(timeline.requests) requests in \(ReportText.seconds(timeline.wallTime))"
        ]
        var steadySeen = false
        for phase in timeline.phases {
            let scenario = phase.plan.scenario
            let requests = (phase.intervals.count) * timeline.requestsPerInterval
            var title = scenario.title
            if scenario == .steady, steadySeen { title = "steady again (change rolled back)" }
            if scenario == .steady { steadySeen = true }
            let head = "  " + title.padding(toLength: 42, withPad: " ", startingAt: 0)
            guard let (into, anomaly) = phase.anomalies.first else {
                let expected = scenario.expectedCause.map { " (expected \($0): MISSED)" } ?? ""
                lines.append("\(head)\(requests) requests, \(Self.miss(phase.summary)): no anomaly\(expected)")
                continue
            }
            let verdict =
                scenario.expectedCause == nil
                ? "FALSE POSITIVE"
                : anomaly.kind == scenario.expectedCause ? "as expected" : "expected \(scenario.expectedCause!)"
            lines.append(
                "\(head)anomaly \(into) requests after the change (\(Self.ordinal(into / timeline.requestsPerInterval)) interval): \(anomaly.kind), \(verdict)"
            )
            lines.append(
                "    miss rate \(ReportText.percent(anomaly.missRate)), band up to \(ReportText.percent(anomaly.upperBound)), expected \(ReportText.percent(anomaly.expectedMissRate)); p95 hit \(ReportText.milliseconds(anomaly.latency.p95Hit)), miss \(ReportText.milliseconds(anomaly.latency.p95Miss))\(anomaly.latency.originOnCriticalPath ? ", origin on the critical path" : "")"
            )
            lines.append("    causes: " + anomaly.causes.map(\.description).joined(separator: "; "))
        }
        lines.append(
            "  false positives: \(timeline.falsePositives) in \(timeline.judgedSteadyIntervals) judged steady intervals (long run: Benchmarks/README.md)"
        )
        return lines
    }

    private static func miss(_ summary: ReplaySummary) -> String {
        "miss rate \(ReportText.percent(summary.missRate))"
    }

    private static func ordinal(_ number: Int) -> String {
        switch number {
        case 1: "1st"
        case 2: "2nd"
        case 3: "3rd"
        default: "\(number)th"
        }
    }
}
