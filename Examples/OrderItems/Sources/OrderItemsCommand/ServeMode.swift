import CacheLayer
import Logging
import OrderItems
import ServiceLifecycle

/// `order-items --serve`: the server alone, until SIGINT or SIGTERM.
struct ServeMode {
    var port: Int
    var highestCachedPage: Int
    var logger: Logger

    func run(database: OrderDatabase, cache: Cache) async throws {
        let boundaries = try OrderItemsBoundary.boundaries(highestCachedPage: self.highestCachedPage)
        let application = try OrderItemsApplication.make(
            database: database, cache: cache, boundaries: boundaries, port: self.port, logger: self.logger,
            onServerRunning: { port in
                print("Serving http://127.0.0.1:\(port)\(OrderItemsBoundary.path) (pages 1-\(self.highestCachedPage) cached); Ctrl-C stops")
            }
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: application)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        try await group.run()
    }
}
