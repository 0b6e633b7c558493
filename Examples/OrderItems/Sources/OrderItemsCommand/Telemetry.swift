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

    /// Bootstraps the global tracer (and, with OTLP, the metrics factory) from the environment.
    static func bootstrap(environment: [String: String]) throws -> Telemetry {
        if let endpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !endpoint.isEmpty {
            var configuration = OTel.Configuration.default
            configuration.serviceName = "order-items"
            // Spans and metrics only: logs stay on the console.
            configuration.logs.enabled = false
            let service = try OTel.bootstrap(configuration: configuration, environment: environment)
            return .otlp(endpoint: endpoint, service: service)
        }
        let tracer = InMemoryTracer(recordInjections: false, recordExtractions: false)
        InstrumentationSystem.bootstrap(tracer)
        return .inMemory(tracer)
    }

    /// Runs `body` with the telemetry's service (if any) running beside it, then shuts the service down, which
    /// exports what is still buffered.
    func run<Result: Sendable>(logger: Logger, _ body: () async throws -> Result) async throws -> Result {
        guard case .otlp(_, let service) = self else { return try await body() }
        return try await RunningService.with(service, logger: logger, body)
    }

    /// One line saying where spans go.
    var description: String {
        switch self {
        case .otlp(let endpoint, _): "spans and metrics exported over OTLP/HTTP to \(endpoint)"
        case .inMemory: "spans kept in memory and summarised (set OTEL_EXPORTER_OTLP_ENDPOINT to export over OTLP)"
        }
    }
}
