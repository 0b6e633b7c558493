import CacheLayer
import Logging
import OrderItems

/// The main job: for each boundary, flush the cache, start the server, replay the visits, stop the server and
/// print what the boundary showed.
struct ReplayMode {
    var boundaryPages: [Int]
    var visits: [Visit]
    var port: Int
    var concurrency: Int
    var timeLimit: Duration
    var logger: Logger
    /// One write after every this many visits in the writes scenario (``WriteScenarioMode``); 0: no such scenario.
    var writeEvery = 0
    /// The health scenarios and the HTML report, after the boundaries.
    var healthReport: HealthReportStep? = nil

    func run(database: OrderDatabase, cache: Cache, backend: ResponseCacheBackend, telemetry: Telemetry) async throws {
        print(
            "Visits: \(self.visits.count) per boundary from the seeded mix (see Examples/OrderItems/README.md), \(self.concurrency) at a time, at most \(self.timeLimit) each"
        )
        var missRateWithoutWrites: Double?
        var reports: [BoundaryReport] = []
        var sampling: [SamplingComparison?] = []
        for highestCachedPage in self.boundaryPages {
            try await cache.removeAll()
            let boundaries = try OrderItemsBoundary.boundaries(highestCachedPage: highestCachedPage)
            let clock = ContinuousClock()
            let (records, wallTime) = try await RunningServer.with(
                logger: self.logger,
                server: { reportPort in
                    try OrderItemsApplication.make(
                        database: database, cache: cache, boundaries: boundaries, port: self.port, logger: self.logger,
                        onServerRunning: reportPort
                    )
                }
            ) { port in
                let started = clock.now
                let replayer = TrafficReplayer(port: port, concurrency: self.concurrency, timeLimit: self.timeLimit)
                let pages = highestCachedPage == 1 ? "page 1" : "pages 1-\(highestCachedPage)"
                let progress = ReplayProgress(label: "boundary \(pages)", total: self.visits.count)
                let records = try await replayer.replay(self.visits, progress: progress)
                return (records, clock.now - started)
            }
            let summary = ReplaySummary(
                records: records,
                pagination: OrderItemsBoundary.endpoint(highestCachedPage: highestCachedPage).pagination!,
                wallTime: wallTime
            )
            if highestCachedPage == 1 { missRateWithoutWrites = summary.missRate }
            let report = BoundaryReport(
                highestCachedPage: highestCachedPage, summary: summary, memory: backend.memoryStatistics,
                concurrency: self.concurrency
            )
            print("")
            for line in report.lines { print(line) }
            reports.append(report)
            if case .inMemory(let tracer) = telemetry {
                let spans = SpanSummary(tracer.popFinishedSpans())
                for line in spans.lines { print("  " + line) }
                let exact = boundaries.statistics()[OrderItemsBoundary.name] ?? BoundaryStatistics()
                let comparison = SamplingComparison(requests: records.count, exact: exact, spans: spans)
                print("  " + comparison.line)
                sampling.append(comparison)
            } else {
                sampling.append(nil)
            }
            if let failure = records.first(where: { $0.status != 200 }) {
                print("  first failure  \(failure.visit.target): \(failure.failure ?? "HTTP \(failure.status ?? 0)")")
            }
        }
        if self.writeEvery > 0 {
            try await WriteScenarioMode(
                visits: self.visits, port: self.port, concurrency: self.concurrency, timeLimit: self.timeLimit,
                writeEvery: self.writeEvery, logger: self.logger
            ).run(database: database, cache: cache, missRateWithoutWrites: missRateWithoutWrites)
        }
        try await self.healthReport?.run(boundaries: reports, sampling: sampling, telemetry: telemetry)
    }
}
