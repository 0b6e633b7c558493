import CacheLayer
import CacheLayerHealth
import InMemoryLogging
import InMemoryTracing
import Logging
import MetricsTestKit
import Synchronization
import Testing

@Suite("Cache health monitor: reports")
struct AnomalyReportingTests {
    @Test func anAnomalyIsLoggedCountedPutOnASpanStreamedAndCalledBack() async throws {
        let traffic = SyntheticTraffic()
        let logs = InMemoryLogHandler()
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let called = Mutex<[CacheAnomaly]>([])
        let monitor = CacheHealthMonitor(
            source: traffic.source,
            clock: traffic.clock,
            logger: Logger(label: "health", factory: { _ in logs }),
            metricsFactory: metrics,
            tracer: tracer,
            onAnomaly: { anomaly in called.withLock { $0.append(anomaly) } }
        )
        await monitor.check()
        _ = await CacheHealthMonitorTests.run(traffic, monitor, minutes: 15)
        #expect(logs.entries.isEmpty && tracer.finishedSpans.isEmpty, "nothing reported in steady traffic")
        var broken = SyntheticTraffic.Minute()
        broken.cachedMissShare = 1
        broken.newKeyShare = 1
        let anomaly = try #require(await CacheHealthMonitorTests.run(traffic, monitor, minutes: 1, broken).first)
            .anomaly

        let entry = try #require(logs.entries.first)
        #expect(logs.entries.count == 1)
        #expect(entry.level == .warning)
        #expect(entry.message.description == "cache miss rate above its band")
        #expect(entry.metadata["cache.boundary"] == "order-items")
        #expect(entry.metadata["cache.anomaly.kind"] == "key_cardinality")
        #expect(entry.metadata["cache.origin_on_critical_path"] == "true")
        #expect(entry.metadata["cache.anomaly.causes"] == .array(anomaly.causes.map { "\($0)" }))

        let counter = try metrics.expectCounter(
            "cache.anomalies", [("boundary", "order-items"), ("kind", "key_cardinality")])
        #expect(counter.totalValue == 1)

        let span = try #require(tracer.finishedSpans.first)
        #expect(span.operationName == "cache.health.check")
        #expect(span.events.map(\.name) == ["cache.anomaly"])
        #expect(span.events.first?.attributes.get("cache.boundary") == "order-items")
        #expect(span.events.first?.attributes.get("cache.anomaly.kind") == "key_cardinality")

        #expect(called.withLock { $0 } == [anomaly])
        var iterator = monitor.anomalies.makeAsyncIterator()
        #expect(await iterator.next() == anomaly)
    }
}
