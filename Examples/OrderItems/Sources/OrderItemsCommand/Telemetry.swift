import CacheLayerSampling
import InMemoryTracing
import OrderItems
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Where the application's spans and metrics go. The library never bootstraps global telemetry; this executable is
/// the application, so it does, once, at start.
enum Telemetry {
    /// Exported over OTLP/HTTP by swift-otel (`OTEL_EXPORTER_OTLP_ENDPOINT` is set); the service must run for as
    /// long as the application, and its graceful shutdown flushes what is left.
    case otlp(endpoint: String, service: any Service)
    /// Kept in memory, to print a summary of.
    case inMemory(InMemoryTracer)

    /// Bootstraps the global tracer (and, with OTLP, the metrics factory) from the environment. Either way the
    /// tracer is wrapped in a ``SamplingTracer`` (see ``sampled(_:)``).
    static func bootstrap(environment: [String: String]) throws -> Telemetry {
        if let endpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !endpoint.isEmpty {
            var configuration = OTel.Configuration.default
            configuration.serviceName = "order-items"
            // Spans and metrics only: logs stay on the console. Metrics are bootstrapped here; the tracer is made
            // apart, so that it can be wrapped in the sampling tracer before it is bootstrapped.
            configuration.logs.enabled = false
            configuration.traces.enabled = false
            let metrics = try OTel.bootstrap(configuration: configuration, environment: environment)
            configuration.traces.enabled = true
            let (tracer, tracing) = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(Self.sampled(tracer))
            let services = ServiceGroup(
                services: [metrics, tracing], gracefulShutdownSignals: [],
                logger: Logger(label: "order-items.telemetry"))
            return .otlp(endpoint: endpoint, service: services)
        }
        let tracer = InMemoryTracer(recordInjections: false, recordExtractions: false)
        InstrumentationSystem.bootstrap(Self.sampled(tracer))
        return .inMemory(tracer)
    }

    /// The share of read traces kept.
    static let readTraceRatio = 0.1

    /// The path of the write endpoint, whose every trace is kept.
    static let keptPaths = ["/admin/orders/"]

    /// Keeps every trace of a write (`PUT /admin/orders/:order/status`, rare, and each one matters) and of the health
    /// monitor (its `cache.health.check` spans carry its anomalies), and ``readTraceRatio`` of the others. The path
    /// is read from the request span's `url.path`, which Hummingbird's `TracingMiddleware` sets right after starting
    /// the span, before routing names it. CacheLayer's counters stay exact whatever this drops (the main job prints
    /// both).
    static func sampled<Wrapped: Tracer>(_ tracer: Wrapped) -> SamplingTracer<Wrapped> {
        SamplingTracer(
            wrapping: tracer,
            alwaysKeeping: ["cache.health.check"],
            alwaysKeepingPaths: Self.keptPaths,
            ratio: Self.readTraceRatio
        )
    }

    /// Runs `body` with the telemetry's service (if any) running beside it, then shuts the service down, which
    /// exports what is still buffered.
    func run<Result: Sendable>(logger: Logger, _ body: () async throws -> Result) async throws -> Result {
        guard case .otlp(_, let service) = self else { return try await body() }
        return try await RunningService.with(service, logger: logger, body)
    }

    /// What the sampling tracer keeps.
    static var samplingDescription: String {
        "every trace of \(Self.keptPaths.joined(separator: ", ")) (writes) and of the health monitor kept, \(Int(Self.readTraceRatio * 100))% of the others"
    }

    /// One line saying where spans go.
    var description: String {
        switch self {
        case .otlp(let endpoint, _):
            "spans and metrics exported over OTLP/HTTP to \(endpoint); \(Self.samplingDescription)"
        case .inMemory:
            "spans kept in memory and summarised (set OTEL_EXPORTER_OTLP_ENDPOINT to export over OTLP); \(Self.samplingDescription)"
        }
    }
}
