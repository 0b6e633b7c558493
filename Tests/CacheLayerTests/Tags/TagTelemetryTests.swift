import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTestSupport

/// `cache.tags`, `cache.operation`, the `cache.invalidate` span and the tag counters.
@Suite("Tag telemetry")
struct TagTelemetryTests {
    let tracer = InMemoryTracer()
    let backend = try! MemoryBackend(byteBudget: 8 << 20)

    func makeCache(keyCapture: KeyCapture = .full, metrics: TestMetrics? = nil) throws -> Cache {
        try Cache(
            namespace: "orders", backend: self.backend,
            configuration: .init(keyCapture: keyCapture, tracer: self.tracer, metricsFactory: metrics))
    }

    @Test func taggedPutsAndInvalidationsCarryTheirTags() async throws {
        let cache = try self.makeCache()
        try await cache.put("k", value: 1, tags: ["orders", "store:7"])
        try await cache.invalidate(tags: ["store:7"])

        let spans = self.tracer.finishedSpans
        try #require(spans.count == 2)
        #expect(spans[0].attributes.get("cache.tags") == .stringArray(["orders", "store:7"]))
        #expect(spans[0].attributes.get("cache.operation") == "put")
        #expect(spans[1].operationName == "cache.invalidate")
        #expect(
            spans[1].attributes == [
                "sentry.op": "cache.invalidate", "cache.operation": "remove", "cache.tags": .stringArray(["store:7"]),
                "cache.write": true,
            ])
    }

    @Test func tagsObeyTheKeyCaptureSetting() async throws {
        let off = try self.makeCache(keyCapture: .off)
        try await off.invalidate(tags: ["user:42"])
        let redacted = try self.makeCache(keyCapture: .redacted { _ in "***" })
        try await redacted.invalidate(tags: ["user:42"])
        let spans = self.tracer.finishedSpans
        try #require(spans.count == 2)
        #expect(spans[0].attributes.get("cache.tags") == nil)
        #expect(spans[1].attributes.get("cache.tags") == .stringArray(["***"]))
    }

    @Test func invalidationsAndDiscardedLoadsAreCounted() async throws {
        let metrics = TestMetrics()
        let cache = try self.makeCache(metrics: metrics)
        try await cache.invalidate(tags: ["a", "b"])
        let started = Gate()
        let release = Gate()
        let load = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(5), tags: ["a"]) { () async throws -> Int in
                started.open()
                await release.wait()
                return 1
            }
        }
        await started.wait()
        try await cache.invalidate(tags: ["a"])
        release.open()
        _ = try await load.value

        #expect(try metrics.expectCounter("cache.invalidated_tags", [("cache", "orders")]).totalValue == 3)
        #expect(try metrics.expectCounter("cache.discarded_loads", [("cache", "orders")]).totalValue == 1)
        #expect(
            try metrics.expectCounter(
                "cache.requests", [("cache", "orders"), ("operation", "invalidate"), ("result", "ok")]
            ).totalValue == 2)
        let puts = self.tracer.finishedSpans.filter { $0.operationName == "cache.put" }
        #expect(puts.last?.attributes.get("cache.write") == false)
    }
}
