import CacheLayer
import Logging
import OrderItems
import ServiceLifecycle

/// `order-items --serve`: the server alone, until SIGINT or SIGTERM.
struct ServeMode {
    var port: Int
    var highestCachedPage: Int
    var logger: Logger

    func run(database: OrderDatabase, cache: Cache, telemetry: Telemetry) async throws {
        let boundaries = try OrderItemsBoundary.boundaries(highestCachedPage: self.highestCachedPage)
        let application = try OrderItemsApplication.make(
            database: database, cache: cache, boundaries: boundaries, port: self.port, logger: self.logger,
            onServerRunning: { port in
                let pages = self.highestCachedPage == 1 ? "page 1" : "pages 1-\(self.highestCachedPage)"
                print("Serving http://127.0.0.1:\(port)\(OrderItemsBoundary.path) (\(pages) cached); Ctrl-C stops")
            }
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: application)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        guard case .inMemory(let tracer) = telemetry else {
            try await group.run()
            return
        }
        // The in-memory tracer keeps every finished span: drain it every few seconds into a running summary, so a
        // long-running server's memory stays bounded, and print the summary when the server stops.
        let summary = try await withThrowingTaskGroup(of: SpanSummary?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                var summary = SpanSummary()
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    summary.merge(SpanSummary(tracer.popFinishedSpans()))
                }
                return summary
            }
            _ = try await tasks.next()
            tasks.cancelAll()
            var summary = SpanSummary()
            while let drained = try await tasks.next() {
                if let drained { summary.merge(drained) }
            }
            summary.merge(SpanSummary(tracer.popFinishedSpans()))
            return summary
        }
        print("Spans while serving:")
        for line in summary.lines { print("  " + line) }
    }
}
