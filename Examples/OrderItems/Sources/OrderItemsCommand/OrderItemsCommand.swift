import ArgumentParser
import CacheLayer
import Foundation
import Logging
import OrderItems

/// `order-items`: the README's main job. Seeds the database if needed, serves the order-items endpoint behind the
/// response cache, replays a realistic visit mix for each boundary and prints what each showed; or, with
/// `--serve`, keeps the server running.
@main
struct OrderItemsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-items",
        abstract: "The order-items example server, its traffic replay and the cache report."
    )

    @Flag(help: "Keep the server running (until Ctrl-C) instead of replaying traffic.")
    var serve = false

    @Option(help: "The port to listen on (127.0.0.1 only); 0 picks a free one.")
    var port = 0

    @Option(help: "The boundaries to replay, as the deepest cached page of each, in order.")
    var boundaries = "1,3"

    @Option(help: "With --serve: the deepest cached page.")
    var highestCachedPage = 1

    @Option(help: "Orders in the generated database (30000: the main job; 2000: a small one).")
    var orders = DatabaseScale.full.orders

    @Option(help: "The database file (generated when missing or of another schema version or scale).")
    var database = OrderItemsCommand.defaultDatabasePath

    @Option(help: "Visits replayed per boundary.")
    var requests = 500

    @Option(help: "Visits in flight at once.")
    var concurrency = 4

    @Option(help: "Seconds after which a boundary's replay starts no more visits.")
    var timeLimit = 150

    @Option(help: "The seed of the visit mix.")
    var seed: UInt64 = 20261121

    @Option(help: "The writes scenario: one status change after every N visits (0: no writes scenario).")
    var writesEvery = 10
    @Flag(
        inversion: .prefixedNo,
        help:
            "After the boundaries, replay the health scenarios (steady, request_id in the key, filter change, small budget)."
    )
    var healthScenarios = true

    @Option(help: "Replace the health scenarios by this many intervals of steady traffic (the false-positive rate).")
    var steadyIntervals: Int?

    @Option(help: "Where the HTML report is written (beside the database by default); empty: none.")
    var report = OrderItemsCommand.defaultReportPath

    @Option(help: "After the replay: the fault scenarios to run (fail, stall, both or none).")
    var fault = "both"

    /// `Examples/OrderItems/.data/orders.sqlite`, wherever the command is run from.
    static var defaultDatabasePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".data/orders.sqlite").path
    }

    func validate() throws {
        guard (0...65535).contains(self.port) else { throw ValidationError("--port must be 0...65535") }
        guard self.requests > 0, self.concurrency > 0, self.timeLimit > 0 else {
            throw ValidationError("--requests, --concurrency and --time-limit must be positive")
        }
        guard self.highestCachedPage >= 1 else { throw ValidationError("--highest-cached-page must be at least 1") }
        guard self.writesEvery >= 0 else { throw ValidationError("--writes-every must be 0 or more") }
        _ = try self.boundaryPages()
        _ = try self.faultModes()
    }

    func faultModes() throws -> [DatabaseFault.Mode] {
        switch self.fault {
        case "both": return DatabaseFault.Mode.allCases
        case "none": return []
        default:
            guard let mode = DatabaseFault.Mode(rawValue: self.fault) else {
                throw ValidationError("--fault must be fail, stall, both or none")
            }
            return [mode]
        }
    }

    func boundaryPages() throws -> [Int] {
        let pages = self.boundaries.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !pages.isEmpty, pages.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--boundaries must list pages of at least 1, such as 1,3")
        }
        return pages.compactMap { $0 }
    }

    func run() async throws {
        var logger = Logger(label: "order-items")
        logger.logLevel = self.serve ? .info : .warning
        let environment = ProcessInfo.processInfo.environment
        let telemetry = try Telemetry.bootstrap(environment: environment)
        try await telemetry.run(logger: logger) {
            let scale = DatabaseScale(orders: self.orders)
            let database = try await OrderDatabase.open(at: URL(fileURLWithPath: self.database), scale: scale)
            defer { try? database.close() }
            Self.printDatabase(database, scale: scale)
            let backend = try ResponseCacheBackend.fromEnvironment(environment)
            let cache = try Cache(namespace: "responses", backend: backend.backend)
            print("Cache: \(backend)")
            print("Telemetry: \(telemetry.description)")
            if self.serve {
                try await ServeMode(port: self.port, highestCachedPage: self.highestCachedPage, logger: logger)
                    .run(database: database, cache: cache, telemetry: telemetry)
            } else {
                try await ReplayMode(
                    boundaryPages: try self.boundaryPages(),
                    visits: VisitMix(seed: self.seed).visits(self.requests),
                    port: self.port,
                    concurrency: self.concurrency,
                    timeLimit: .seconds(self.timeLimit),
                    logger: logger,
                    writeEvery: self.writesEvery,
                    healthReport: self.healthReportStep(
                        scale: scale, backend: backend, telemetry: telemetry, logger: logger)
                ).run(database: database, cache: cache, backend: backend, telemetry: telemetry)
                var quiet = logger
                quiet.logLevel = .error  // the stale-if-error pass warns of every failed load
                let faultDatabase = URL(fileURLWithPath: self.database).deletingLastPathComponent()
                    .appendingPathComponent("orders-fault-scenario.sqlite")
                try await FaultMode(modes: try self.faultModes(), databasePath: faultDatabase, logger: quiet)
                    .run(cache: cache)
            }
        }
    }

    private static func printDatabase(_ database: OrderDatabase, scale: DatabaseScale) {
        let what =
            database.preparation.seeded
            ? "generated in \(ReportText.milliseconds(database.preparation.seedDuration))"
            : "reused"
        print("Database: \(database.url.path) (\(scale), \(ReportText.bytes(database.preparation.fileSize)); \(what))")
    }
}
