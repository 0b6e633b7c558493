import CacheLayer
import Logging
import OrderItems

/// The writes scenario of the main job: the page-1 boundary under the same visits with writes mixed in
/// (``WriteReplay``), each checked for stale reads (``StaleReadCheck``). The orders written are those of the first
/// listing page; their statuses are put back afterwards, so the database stays as seeded for the next run.
struct WriteScenarioMode {
    var visits: [Visit]
    var port: Int
    var concurrency: Int
    var timeLimit: Duration
    var writeEvery: Int
    var logger: Logger

    /// Runs the scenario and prints its report; `missRateWithoutWrites` is the page-1 boundary's, when replayed.
    func run(database: OrderDatabase, cache: Cache, missRateWithoutWrites: Double?) async throws {
        try await cache.removeAll()
        let boundaries = try OrderItemsBoundary.boundaries(highestCachedPage: 1)
        let firstPage = try await database.orderItems(OrderItemsQuery())
        var orders: [Int: OrderStatus] = [:]
        for item in firstPage.items {
            orders[item.orderID] = OrderStatus(rawValue: item.status)
        }
        let outcome: WriteReplay.Outcome
        do {
            outcome = try await RunningServer.with(
                logger: self.logger,
                server: { reportPort in
                    try OrderItemsApplication.make(
                        database: database, cache: cache, boundaries: boundaries, port: self.port,
                        logger: self.logger, onServerRunning: reportPort)
                }
            ) { port in
                let replay = WriteReplay(
                    port: port, concurrency: self.concurrency, timeLimit: self.timeLimit, writeEvery: self.writeEvery)
                return try await replay.replay(self.visits, orders: orders)
            }
        } catch {
            try await Self.restore(orders, in: database)
            throw error
        }
        try await Self.restore(orders, in: database)
        try await cache.removeAll()
        let report = WriteReport(
            outcome: outcome, check: StaleReadCheck(outcome), missRateWithoutWrites: missRateWithoutWrites,
            writeEvery: self.writeEvery)
        print("")
        for line in report.lines { print(line) }
    }

    /// Puts the written orders back in their original statuses.
    private static func restore(_ orders: [Int: OrderStatus], in database: OrderDatabase) async throws {
        for (order, status) in orders {
            _ = try await database.changeStatus(ofOrder: order, from: nil, to: status)
        }
    }
}
