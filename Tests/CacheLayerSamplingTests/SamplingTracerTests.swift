import CacheLayer
import CacheLayerSampling
import InMemoryTracing
import MetricsTestKit
import Synchronization
import Testing
import Tracing

/// Uniform draws from a fixed list, in order.
final class ScriptedDraws: Sendable {
    private let draws: Mutex<[Double]>

    init(_ draws: [Double]) { self.draws = Mutex(draws) }

    func next() -> Double { self.draws.withLock { $0.removeFirst() } }
}

/// Header fields in a dictionary, as an HTTP server's extractor reads them.
struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

@Suite("Sampling tracer")
struct SamplingTracerTests {
    /// A root span and one child under it, as a request and its `cache.get`.
    func request(_ operation: String, _ tracer: some Tracer, context: ServiceContext = .topLevel) {
        tracer.withSpan(operation, context: context, ofKind: .server) { _ in
            tracer.withSpan("cache.get", ofKind: .internal) { _ in }
        }
    }

    @Test func chosenOperationsAreAllKeptAndARatioOfTheOthersWithTheirChildren() {
        let recorded = InMemoryTracer()
        let draws = ScriptedDraws([0.01, 0.5, 0.04, 0.9])
        let tracer = SamplingTracer(
            wrapping: recorded, alwaysKeeping: ["GET /admin/order-items"], ratio: 0.05, random: draws.next)
        for _ in 0..<3 { self.request("GET /admin/order-items", tracer) }  // kept, no draw taken
        for index in 0..<4 { self.request("GET /products/\(index)", tracer) }  // draws 0.01, 0.5, 0.04, 0.9
        #expect(
            recorded.finishedSpans.map(\.operationName) == [
                "cache.get", "GET /admin/order-items", "cache.get", "GET /admin/order-items", "cache.get",
                "GET /admin/order-items", "cache.get", "GET /products/0", "cache.get", "GET /products/2",
            ])
        let roots = recorded.finishedSpans.filter { $0.operationName != "cache.get" }
        let children = recorded.finishedSpans.filter { $0.operationName == "cache.get" }
        #expect(
            children.map(\.context.inMemorySpanContext?.traceID) == roots.map(\.context.inMemorySpanContext?.traceID))
    }

    @Test func aSampledRemoteParentIsHonouredAndAnUnsampledOneIsNotStartedHere() {
        let recorded = InMemoryTracer()
        let tracer = SamplingTracer(wrapping: recorded, alwaysKeeping: [], ratio: 0, random: { 0 })
        func context(_ traceparent: String) -> ServiceContext {
            var context = ServiceContext.topLevel
            tracer.extract(["traceparent": traceparent], into: &context, using: DictionaryExtractor())
            return context
        }
        self.request(
            "GET /products", tracer, context: context("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        self.request(
            "GET /basket", tracer, context: context("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"))
        self.request("GET /other", tracer, context: context("not a traceparent"))
        #expect(recorded.finishedSpans.map(\.operationName) == ["cache.get", "GET /products"])
    }

    @Test func droppedSpansRecordNothingAndTheCachesMetricsStayExact() async throws {
        let recorded = InMemoryTracer()
        let tracer = SamplingTracer(wrapping: recorded, alwaysKeeping: [], ratio: 0)
        let metrics = TestMetrics()
        let cache = try Cache(
            namespace: "pages",
            backend: try MemoryBackend(byteBudget: 1 << 20),
            configuration: .init(tracer: tracer, metricsFactory: metrics)
        )
        let span = tracer.startSpan("GET /products")
        #expect(!span.isRecording)
        span.attributes["ignored"] = "yes"
        #expect(span.attributes.isEmpty)
        span.end()
        try await cache.putBytes("k", [1])
        for _ in 0..<10 { _ = try await cache.getBytes("k") }
        for _ in 0..<5 { _ = try await cache.getBytes("missing") }
        #expect(recorded.finishedSpans.isEmpty)
        let dimensions = [("cache", "pages"), ("operation", "get")]
        #expect(try metrics.expectCounter("cache.requests", dimensions + [("result", "hit")]).totalValue == 10)
        #expect(try metrics.expectCounter("cache.requests", dimensions + [("result", "miss")]).totalValue == 5)
    }
}
