import CacheLayer
import Foundation
import Logging
import OrderItems

/// A real order-items server (page 1 cached, a memory tier) on a small generated database, for the duration of
/// `body`, which gets its port and its database.
enum SmokeServer {
    static func run<Result: Sendable>(
        _ body: (_ port: Int, _ database: OrderDatabase) async throws -> Result
    ) async throws -> Result {
        let directory = try TemporaryDirectory()
        let database = try await OrderDatabase.open(
            at: directory.url.appendingPathComponent("orders.sqlite"), scale: .small)
        defer { try? database.close() }
        let cache = try Cache(namespace: "responses", backend: try MemoryBackend(byteBudget: 8 << 20))
        return try await Self.serve(database: database, cache: cache) { port in try await body(port, database) }
    }

    /// A real order-items server (page 1 cached) over `database` and `cache`, for the duration of `body`, which gets
    /// its port.
    static func serve<Result: Sendable>(
        database: OrderDatabase, cache: Cache, _ body: (_ port: Int) async throws -> Result
    ) async throws -> Result {
        let logger = Logger(label: "smoke")
        return try await RunningServer.with(
            logger: logger,
            server: { reportPort in
                try OrderItemsApplication.make(
                    database: database, cache: cache,
                    boundaries: try OrderItemsBoundary.boundaries(highestCachedPage: 1),
                    logger: logger, onServerRunning: reportPort)
            }, body)
    }
}
