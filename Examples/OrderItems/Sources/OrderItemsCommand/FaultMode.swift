import CacheLayer
import Foundation
import Logging
import OrderItems

/// The fault scenario of the main job: for each fault mode, the endpoint through a database outage without and with
/// stale if error, and the error rate and p99 of the requests sent during it.
struct FaultMode {
    var modes: [DatabaseFault.Mode]
    /// The scenario's database file (generated at ``FaultScenario/scale`` when missing).
    var databasePath: URL
    var logger: Logger

    func run(cache: Cache) async throws {
        guard !self.modes.isEmpty else { return }
        let database = try await OrderDatabase.open(at: self.databasePath, scale: FaultScenario.scale)
        defer { try? database.close() }
        for mode in self.modes {
            let scenario = FaultScenario(mode: mode)
            let what =
                mode == .fail
                ? "fails (every query throws)"
                : "stalls (every query waits \(ReportText.milliseconds(scenario.stall)))"
            print("")
            print(
                "Fault scenario: the database \(what) for \(ReportText.milliseconds(scenario.outage)), on a database of \(FaultScenario.scale), after every page was loaded once and a \(ReportText.milliseconds(scenario.warmUp)) warm-up; pages live \(ReportText.milliseconds(scenario.ttl)), so each goes stale during the outage; \(scenario.clients) clients in a closed loop over \(FaultScenario.visits.count) cached pages"
            )
            print(
                "  stale-if-error policy: maximumStaleAge 60 s, failSafeThrottle 1 s, softTimeout 500 ms, hardTimeout 1 s; requests sent during the outage:"
            )
            for staleIfError in [false, true] {
                let result = try await scenario.run(
                    staleIfError: staleIfError, database: database, cache: cache, logger: self.logger)
                print(result.line)
            }
        }
    }
}
