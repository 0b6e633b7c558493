import CacheLayer
import CacheLayerHealth
import CacheLayerTesting
import Logging
import Synchronization

/// Runs the health scenarios: the order-items server at pages 1-3 with a ``CacheHealthMonitor`` reading its
/// boundary's and memory tier's counters, and a replay of the seeded visit mix that goes through each phase of a
/// ``HealthScenarioPlan``. The monitor's clock is the replay's: after each interval of requests it moves a minute
/// on and the monitor checks.
///
/// ```swift
/// let timeline = try await HealthScenarioRun(plan: .mainJob, seed: 1, concurrency: 4, logger: logger)
///     .run(database: database)
/// for line in HealthScenarioText(timeline).lines { print(line) }
/// ```
public struct HealthScenarioRun: Sendable {
    /// What to replay.
    public var plan: HealthScenarioPlan
    /// The visit mix's seed.
    public var seed: UInt64
    /// Requests in flight at once.
    public var concurrency: Int
    /// The server's logger. The monitor logs its warnings to a logger of its own, at error level, so the report
    /// says what it raised rather than a log line in the middle of the progress.
    public var logger: Logger

    /// Creates a run.
    public init(plan: HealthScenarioPlan, seed: UInt64, concurrency: Int, logger: Logger) {
        self.plan = plan
        self.seed = seed
        self.concurrency = concurrency
        self.logger = logger
    }

    /// The scenarios' boundary: the order-items boundary at the plan's depth, keeping unknown parameters in the key
    /// (as a boundary must when its handler reads parameters it does not list). Steady traffic sends none, so it
    /// decides exactly as ``OrderItemsBoundary`` does; a deploy that adds a parameter puts it in every key.
    public static func endpoint(highestCachedPage: Int) -> CacheEndpoint {
        var endpoint = OrderItemsBoundary.endpoint(highestCachedPage: highestCachedPage)
        endpoint.pagination?.unknownParameters = .includeInKey
        return endpoint
    }

    /// Replays the plan against a server on `database`, on 127.0.0.1 at a free port.
    public func run(database: OrderDatabase, progress: ReplayProgress? = nil) async throws -> HealthTimeline {
        let plan = self.plan
        let tier = try ScenarioCacheTier(byteBudget: ResponseCacheBackend.memoryBudget)
        let boundaries = try CacheBoundaries([Self.endpoint(highestCachedPage: plan.highestCachedPage)])
        let clock = ManualCacheClock()
        let bands = Mutex<[BoundaryBand]>([])
        var monitorLogger = Logger(label: "order-items.health")
        monitorLogger.logLevel = .error
        let monitor = CacheHealthMonitor(
            source: tier.healthSource(boundaries: boundaries), configuration: plan.configuration, clock: clock,
            logger: monitorLogger, onInterval: { band in bands.withLock { $0.append(band) } })
        let visits = VisitMix(seed: self.seed).visits(plan.maximumRequests)
        let started = ContinuousClock.now

        var sent = 0
        // Every phase's server listens on the first one's port: the response cache's keys hold the authority, so a
        // new port would make every key new, and each phase would start cold.
        var port = 0
        var intervals: [HealthTimeline.Interval] = []
        var phases: [HealthTimeline.Phase] = []
        for (phaseIndex, phase) in plan.phases.enumerated() {
            if phase.scenario == .smallBudget { try tier.restart(byteBudget: plan.smallBudget) }
            let phaseStart = sent
            let firstInterval = intervals.count + 1
            var anomalies: [(requestsIntoPhase: Int, anomaly: CacheAnomaly)] = []
            var records: [ReplayRecord] = []
            port = try await self.withServer(
                database: database, cache: tier.cache, boundaries: boundaries, port: port
            ) { requests in
                func send(_ count: Int) async -> [ReplayRecord] {
                    let batch = (sent..<sent + count).map { index in
                        let visit = phase.scenario.visit(visits[index])
                        return (visit: visit, target: phase.scenario.target(for: visit, index: index))
                    }
                    let answered = await requests.send(batch)
                    sent += count
                    progress?.advance(by: count, detail: phase.scenario.title)
                    return answered
                }
                if phaseIndex == 0 {
                    _ = await send(plan.primingRequests)
                    await monitor.check()  // the first reading: the monitor's intervals start here
                }
                for _ in 0..<phase.intervals {
                    records += await send(plan.requestsPerInterval)
                    clock.advance(by: .seconds(60))
                    bands.withLock { $0.removeAll() }
                    let raised = await monitor.check()
                    let statistics = tier.backend.statistics
                    intervals.append(
                        HealthTimeline.Interval(
                            number: intervals.count + 1, scenario: phase.scenario, requestsSoFar: sent,
                            band: bands.withLock { $0.first }, bytes: statistics.bytes,
                            byteBudget: tier.backend.configuration.byteBudget, anomalies: raised))
                    anomalies += raised.map { (requestsIntoPhase: sent - phaseStart, anomaly: $0) }
                    if phase.endsAtAnomaly, !raised.isEmpty { break }
                }
            }
            phases.append(
                HealthTimeline.Phase(
                    plan: phase, startRequest: phaseStart,
                    intervals: firstInterval...max(firstInterval, intervals.count),
                    anomalies: anomalies,
                    summary: ReplaySummary(
                        records: records,
                        pagination: Self.endpoint(highestCachedPage: plan.highestCachedPage).pagination!,
                        wallTime: .zero)))
        }
        progress?.finish(note: "done (each change stops once the monitor reports it)")
        return HealthTimeline(
            requestsPerInterval: plan.requestsPerInterval, primingRequests: plan.primingRequests,
            intervals: intervals, phases: phases, wallTime: ContinuousClock.now - started)
    }

    /// Runs a server on `port` (0: a free one) while `body` runs; returns the port it listened on.
    private func withServer(
        database: OrderDatabase, cache: Cache, boundaries: CacheBoundaries, port: Int,
        _ body: (ScenarioRequests) async throws -> Void
    ) async throws -> Int {
        try await RunningServer.with(
            logger: self.logger,
            server: { reportPort in
                try OrderItemsApplication.make(
                    database: database, cache: cache, boundaries: boundaries, port: port, logger: self.logger,
                    onServerRunning: reportPort)
            }
        ) { port in
            let requests = ScenarioRequests(port: port, concurrency: self.concurrency)
            do {
                try await body(requests)
            } catch {
                try? await requests.shutdown()
                throw error
            }
            try await requests.shutdown()
            return port
        }
    }
}
