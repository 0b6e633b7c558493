// Handing a cache the tracer, metrics factory and logger the application set up, choosing how keys are
// recorded, and writing a boundary decision on the request's span.
//
// Run it with `swift run TelemetrySetup`.

// snippet.hide
import CacheLayer
import CoreMetrics
import Logging
import Tracing

func telemetry() async throws {
    let backend = try MemoryBackend(byteBudget: 64 << 20)
    // snippet.show
    // snippet.configuration
    // The application bootstraps (LoggingSystem, MetricsSystem, InstrumentationSystem) once, at start-up; the
    // library never does. A cache takes what it is given:
    let configuration = Cache.Configuration(
        keyCapture: .redacted { key in String(key.map { $0.isNumber ? "#" : $0 }) },  // or .full, the default, or .off
        tracer: InstrumentationSystem.tracer,  // nil (the default) reads the bootstrapped one now, once, too
        metricsFactory: MetricsSystem.factory,  // nil: the global factory when the cache is made
        logger: Logger(label: "cache.products")  // debug per operation, warning on failures
    )
    let cache = try Cache(namespace: "products", backend: backend, configuration: configuration)
    // snippet.end
    // snippet.hide
    _ = try await cache.getBytes("product:1")
}

func boundarySpan() async throws {
    // snippet.show
    // snippet.boundary-span
    let boundaries = try CacheBoundaries([CacheEndpoint(name: "catalogue", path: "/catalogue", ttl: .seconds(60))])
    withSpan("GET /catalogue") { span in
        let decision = boundaries.decide(CacheRequest(path: "/catalogue"))
        decision.record(on: span)  // cache.boundary = catalogue, cache.decision = cache or the bypass reason
    }
    // snippet.end
    // snippet.hide
}

try await telemetry()
try await boundarySpan()
