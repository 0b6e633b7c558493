// The cache health monitor and the sampling tracer: a service that learns each boundary's miss rate and reports
// anomalies with their likely cause, and a tracer that keeps every trace of the routes that matter.
//
// Run it with `swift run CacheHealth`.

// snippet.hide
import CacheLayer
import CacheLayerHealth
import CacheLayerSampling
import Logging
import ServiceLifecycle
import Tracing

func healthMonitor() async throws {
    let logger = Logger(label: "shop")
    // snippet.show
    // snippet.monitor
    let memory = try MemoryBackend(byteBudget: 64 << 20)
    let cache = try Cache(namespace: "pages", backend: memory)
    let boundaries = try CacheBoundaries([
        CacheEndpoint(
            name: "order-items", path: "/admin/order-items", ttl: .seconds(60),
            pagination: PaginationBoundary(highestCachedPage: 3, commonFilters: ["status": ["open", "shipped"]]))
    ])
    let monitor = CacheHealthMonitor(
        source: .counters(boundaries: boundaries, memoryTier: memory),
        logger: logger,
        onAnomaly: { anomaly in
            // anomaly.kind: key_cardinality, bypass, expirations, evictions or unknown
            print("\(anomaly.boundary): miss rate \(anomaly.missRate), \(anomaly.causes)")
        }
    )
    // snippet.end
    // snippet.requests
    let decision = boundaries.decide(CacheRequest(path: "/admin/order-items", query: [("status", "open")]))
    let page = try await cache.getOrLoad(for: decision) { [1, 2, 3] }  // counted: hit or miss, and its duration
    // snippet.end
    // snippet.hide
    _ = page
    // snippet.show
    // snippet.service-group
    let group = ServiceGroup(services: [monitor], gracefulShutdownSignals: [.sigterm], logger: logger)
    // snippet.end
    // snippet.hide
    _ = group
}

func samplingTracer() {
    // snippet.show
    // snippet.sampling
    let otelTracer = NoOpTracer()  // swift-otel's tracer, say
    let tracer = SamplingTracer(wrapping: otelTracer, alwaysKeeping: ["GET /admin/order-items"], ratio: 0.05)
    // InstrumentationSystem.bootstrap(tracer)  // in the application, once
    // snippet.end
    // snippet.hide
    _ = tracer
}

try await healthMonitor()
samplingTracer()
