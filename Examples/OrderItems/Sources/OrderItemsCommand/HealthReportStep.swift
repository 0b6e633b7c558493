import Foundation
import Logging
import OrderItems

/// The end of the main job: the health scenarios (the monitor's anomalies, printed), then the HTML report, whose
/// path it prints.
struct HealthReportStep {
    /// The scenarios to replay; `nil` skips them.
    var plan: HealthScenarioPlan?
    /// The database the scenarios' server reads.
    var scenarioDatabase: URL
    var seed: UInt64
    var concurrency: Int
    /// Where the HTML report goes; `nil` writes none.
    var reportURL: URL?
    /// Lines about the run, for the top of the report.
    var context: [String]
    var logger: Logger

    func run(boundaries: [BoundaryReport], sampling: [SamplingComparison?], telemetry: Telemetry) async throws {
        var timeline: HealthTimeline?
        if let plan = self.plan {
            let database = try await OrderDatabase.open(at: self.scenarioDatabase, scale: plan.databaseScale)
            defer { try? database.close() }
            let run = HealthScenarioRun(plan: plan, seed: self.seed, concurrency: self.concurrency, logger: self.logger)
            let progress = ReplayProgress(label: "health scenarios", total: plan.maximumRequests)
            timeline = try await run.run(database: database, progress: progress)
            print("")
            for line in HealthScenarioText(timeline!).lines { print(line) }
            if case .inMemory(let tracer) = telemetry {
                // The scenarios' spans, drained so they are not summarised with anything else: the monitor's spans
                // (one per anomaly) are kept whole, the requests' sampled.
                let spans = SpanSummary(tracer.popFinishedSpans())
                let anomalies = timeline!.phases.reduce(0) { $0 + $1.anomalies.count }
                print(
                    "  sampling: \(spans.counts["cache.health.check"] ?? 0) cache.health.check spans kept of \(anomalies) anomalies, \(spans.counts[OrderItemsBoundary.path] ?? 0) request traces of \(timeline!.requests) requests; the monitor read exact counters"
                )
            }
        }
        guard let reportURL = self.reportURL else { return }
        let report = HtmlReport(context: self.context, boundaries: boundaries, sampling: sampling, timeline: timeline)
        try report.write(to: reportURL)
        print("")
        print("Report: \(reportURL.path) (open it in a browser)")
    }
}
