import Foundation
import Logging
import OrderItems

extension OrderItemsCommand {
    /// `Examples/OrderItems/.data/report.html`, wherever the command is run from.
    static var defaultReportPath: String {
        URL(fileURLWithPath: Self.defaultDatabasePath).deletingLastPathComponent().appendingPathComponent("report.html")
            .path
    }

    /// The end of the main job as the flags ask for it: the health scenarios (or a long steady replay, or none) on a
    /// database beside the main one, and the HTML report.
    func healthReportStep(
        scale: DatabaseScale, backend: ResponseCacheBackend, telemetry: Telemetry, logger: Logger
    ) -> HealthReportStep {
        let plan: HealthScenarioPlan? =
            !self.healthScenarios
            ? nil : self.steadyIntervals.map { HealthScenarioPlan.steady(intervals: $0) } ?? .mainJob
        return HealthReportStep(
            plan: plan,
            scenarioDatabase: URL(fileURLWithPath: self.database).deletingLastPathComponent()
                .appendingPathComponent("orders-scenarios.sqlite"),
            seed: self.seed,
            concurrency: self.concurrency,
            reportURL: self.report.isEmpty ? nil : URL(fileURLWithPath: self.report),
            context: [
                "Database: \(self.database) (\(scale))",
                "Cache: \(backend)",
                "Telemetry: \(telemetry.description)",
                "Visits: \(self.requests) per boundary, seed \(self.seed), \(self.concurrency) at a time",
            ],
            logger: logger
        )
    }
}
