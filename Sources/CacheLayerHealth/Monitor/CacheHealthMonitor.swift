import CacheLayer
import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization
import Tracing

/// Watches a cache's boundaries and raises an anomaly when one's miss rate leaves its normal band upwards, with the
/// likely cause: a service to run with the server's.
///
/// ```swift
/// let monitor = CacheHealthMonitor(source: .counters(boundaries: boundaries, memoryTier: memory), logger: logger)
/// let group = ServiceGroup(services: [server, monitor], logger: logger)
/// Task { for await anomaly in monitor.anomalies { await pager.page("\(anomaly.boundary): \(anomaly.kind)") } }
/// try await group.run()
/// ```
///
/// Each ``Configuration/interval`` it takes a ``CacheHealthReading`` (CacheLayer's exact counters, never sampled
/// traces) and, per boundary, works out the interval's miss rate: requests not served from the cache, misses and
/// bypasses alike, over all the boundary's requests. During the warm-up it learns the baseline; after it, a miss
/// rate above the band (``Configuration/deviations`` standard deviations plus ``Configuration/minimumRise`` above
/// the baseline) is an anomaly, reported once when it starts. Only normal intervals are learned, so the baseline
/// adapts slowly to drift but not to a breakage; after ``Configuration/relearnAfter`` anomalous intervals the new
/// level is learned as normal. Rises below the band are never reported (a falling miss rate is good news).
///
/// The likely causes (``AnomalyCause``), from what the counters show: new keys per minute jumped
/// (`key_cardinality`), a bypass reason's share rose (`bypass`), TTL expirations rose (`expirations`), evictions
/// rose or Redis is near its `maxmemory` (`evictions`). Each anomaly carries the interval's p95 with and without a
/// hit (``AnomalyLatency``), so a rise that puts the origin back on the critical path stands out.
///
/// Reports go to a log warning with structured metadata, the `cache.anomalies` counter (dimensions `boundary` and
/// `kind`), a `cache.anomaly` event on a `cache.health.check` span, ``anomalies`` and the `onAnomaly` callback.
public struct CacheHealthMonitor: Service {
    /// The anomalies, as they are raised: for one consumer (a second one shares the elements with the first). Ends
    /// when ``run()`` returns. Holds the newest 100 unread.
    public let anomalies: AsyncStream<CacheAnomaly>
    /// The settings.
    public let configuration: Configuration
    private let source: CacheHealthSource
    private let clock: any CacheClock
    private let evaluator: Evaluation
    private let reporter: AnomalyReporter
    private let onInterval: (@Sendable (BoundaryBand) -> Void)?

    /// Creates a monitor.
    /// - Parameters:
    ///   - source: where readings come from, usually ``CacheHealthSource/counters(boundaries:memoryTier:server:)``.
    ///   - configuration: interval, warm-up, band and cause thresholds.
    ///   - clock: the time of each reading (rates are per minute of it); a `ManualCacheClock` in tests.
    ///   - logger: where anomalies are logged, at warning level.
    ///   - metricsFactory: where `cache.anomalies` goes; `nil` uses the global factory as it is now.
    ///   - tracer: where the `cache.health.check` spans go; `nil` uses the bootstrapped tracer as it is now.
    ///   - onAnomaly: called with each anomaly, for code that wants to page someone.
    ///   - onInterval: called after each check with each boundary's interval beside its band (``BoundaryBand``),
    ///     warm-up intervals included, before the check's anomalies are reported: for a chart of the miss rate
    ///     with its band. Boundaries with too few requests in the interval are left out.
    public init(
        source: CacheHealthSource,
        configuration: Configuration = Configuration(),
        clock: any CacheClock = SystemCacheClock(),
        logger: Logger = Logger(label: "cachelayer.health", factory: { _ in SwiftLogNoOpLogHandler() }),
        metricsFactory: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil,
        onAnomaly: (@Sendable (CacheAnomaly) -> Void)? = nil,
        onInterval: (@Sendable (BoundaryBand) -> Void)? = nil
    ) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: CacheAnomaly.self, bufferingPolicy: .bufferingNewest(100))
        self.anomalies = stream
        self.configuration = configuration
        self.source = source
        self.clock = clock
        self.evaluator = Evaluation(HealthEvaluator(configuration: configuration))
        self.onInterval = onInterval
        self.reporter = AnomalyReporter(
            logger: logger,
            metricsFactory: metricsFactory ?? MetricsSystem.factory,
            tracer: tracer ?? InstrumentationSystem.tracer,
            continuation: continuation,
            onAnomaly: onAnomaly
        )
    }

    /// Checks every ``Configuration/interval`` until the task is cancelled or the service group shuts down
    /// gracefully, then ends ``anomalies``.
    public func run() async throws {
        defer { self.reporter.continuation.finish() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.check()
                do {
                    try await Task.sleep(for: self.configuration.interval)
                } catch {
                    return  // cancelled: shutting down
                }
            }
        }
    }

    /// Takes one reading now, judges the interval since the previous one, reports the anomalies that start in it
    /// and returns them. ``run()`` calls it each interval; tests call it after moving their clock.
    @discardableResult
    public func check() async -> [CacheAnomaly] {
        let reading = await self.source.reading()
        let now = self.clock.now()
        let (anomalies, bands) = self.evaluator.state.withLock { evaluator in
            (evaluator.evaluate(reading, at: now), evaluator.lastBands)
        }
        if let onInterval = self.onInterval {
            for band in bands { onInterval(band) }
        }
        for anomaly in anomalies {
            self.reporter.report(anomaly)
        }
        return anomalies
    }
}

/// The evaluator, shared by the copies of a monitor.
private final class Evaluation: Sendable {
    let state: Mutex<HealthEvaluator>

    init(_ evaluator: HealthEvaluator) {
        self.state = Mutex(evaluator)
    }
}
