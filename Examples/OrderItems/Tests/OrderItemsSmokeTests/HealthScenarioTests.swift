import CacheLayer
import CacheLayerHealth
import Foundation
import Logging
import OrderItems
import Testing

/// The main job's health scenarios on the small database, against a real server over loopback: the monitor stays
/// quiet on steady traffic and names each change's cause within its first interval. Writes the HTML report of the
/// run where `ORDER_ITEMS_REPORT` says (scripts/test.sh then renders it in headless chromium:
/// scripts/check-report.sh).
@Suite struct HealthScenarioTests {
    @Test func theMonitorNamesEachChangeAndStaysQuietOnSteadyTraffic() async throws {
        let directory = try TemporaryDirectory()
        let plan = HealthScenarioPlan.mainJob
        let database = try await OrderDatabase.open(
            at: directory.url.appendingPathComponent("orders.sqlite"), scale: plan.databaseScale)
        defer { try? database.close() }
        let timeline = try await HealthScenarioRun(
            plan: plan, seed: 20261121, concurrency: 4, logger: Logger(label: "health-scenarios")
        ).run(database: database)

        #expect(timeline.falsePositives == 0)
        #expect(timeline.judgedSteadyIntervals >= 4)
        for phase in timeline.phases {
            #expect(phase.summary.failures == 0, "\(phase.plan.scenario)")
            guard let expected = phase.plan.scenario.expectedCause else {
                #expect(phase.anomalies.isEmpty, "steady: \(phase.anomalies.map(\.anomaly.kind))")
                continue
            }
            #expect(phase.anomalies.first?.anomaly.kind == expected, "\(phase.plan.scenario)")
            #expect(
                phase.anomalies.first?.requestsIntoPhase == plan.requestsPerInterval,
                "\(phase.plan.scenario): reported at the end of the change's first interval")
        }

        let steady = try #require(timeline.phases.first)
        let report = HtmlReport(
            context: ["Health scenarios on the smoke test's database"],
            boundaries: [
                BoundaryReport(highestCachedPage: 3, summary: steady.summary, memory: nil, concurrency: 4)
            ],
            sampling: [nil], timeline: timeline)
        let document = report.document
        #expect(document.hasPrefix("<!DOCTYPE html>"))
        #expect(document.components(separatedBy: "<svg ").count - 1 == 3, "miss rate, latency, scenario memory")
        #expect(!document.contains("src=") && !document.contains("href="), "self-contained: nothing fetched")
        if let path = ProcessInfo.processInfo.environment["ORDER_ITEMS_REPORT"], !path.isEmpty {
            try report.write(to: URL(fileURLWithPath: path))
        }
    }
}
