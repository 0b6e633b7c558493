import CoreMetrics
import Logging
import Tracing

/// Tells everyone who listens about an anomaly: a log warning with structured metadata, the `cache.anomalies`
/// counter, a `cache.anomaly` event on a `cache.health.check` span, the monitor's async sequence and its callback.
struct AnomalyReporter: Sendable {
    let logger: Logger
    let metricsFactory: any MetricsFactory
    let tracer: any Tracer
    let continuation: AsyncStream<CacheAnomaly>.Continuation
    let onAnomaly: (@Sendable (CacheAnomaly) -> Void)?

    func report(_ anomaly: CacheAnomaly) {
        self.logger.warning(
            "cache miss rate above its band",
            metadata: [
                "cache.boundary": "\(anomaly.boundary)",
                "cache.anomaly.kind": "\(anomaly.kind)",
                "cache.miss_rate": "\(Self.rounded(anomaly.missRate))",
                "cache.miss_rate.expected": "\(Self.rounded(anomaly.expectedMissRate))",
                "cache.miss_rate.upper_bound": "\(Self.rounded(anomaly.upperBound))",
                "cache.requests": "\(anomaly.requests)",
                "cache.anomaly.causes": .array(anomaly.causes.map { "\($0)" }),
                "http.p95": "\(anomaly.latency.p95.map { "\($0)" } ?? "none")",
                "http.p95.hit": "\(anomaly.latency.p95Hit.map { "\($0)" } ?? "none")",
                "http.p95.miss": "\(anomaly.latency.p95Miss.map { "\($0)" } ?? "none")",
                "cache.origin_on_critical_path": "\(anomaly.latency.originOnCriticalPath)",
            ]
        )
        Counter(
            label: "cache.anomalies",
            dimensions: [("boundary", anomaly.boundary), ("kind", anomaly.kind)],
            factory: self.metricsFactory
        ).increment()
        let span = self.tracer.startSpan("cache.health.check", ofKind: .internal)
        if span.isRecording {
            var attributes: SpanAttributes = [:]
            attributes["cache.boundary"] = anomaly.boundary
            attributes["cache.anomaly.kind"] = anomaly.kind
            attributes["cache.miss_rate"] = anomaly.missRate
            attributes["cache.miss_rate.upper_bound"] = anomaly.upperBound
            attributes["cache.anomaly.causes"] = anomaly.causes.map(\.description)
            attributes["cache.origin_on_critical_path"] = anomaly.latency.originOnCriticalPath
            span.addEvent(SpanEvent(name: "cache.anomaly", attributes: attributes))
        }
        span.end()
        self.continuation.yield(anomaly)
        self.onAnomaly?(anomaly)
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
