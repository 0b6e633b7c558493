import CacheLayer
import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing

@testable import CacheLayerRedis

/// What the two-tier backend adds to the cache's telemetry: the tier that answered a read, on its `cache.get`
/// span, and its counters.
@Suite(
    "Two-tier telemetry", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct TwoTierTelemetryTests {
    @Test func getSpansNameTheTierThatAnswered() async throws {
        let tracer = InMemoryTracer()
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let cache = try Cache(
            namespace: fixture.namespace.name, backend: fixture.backend, configuration: .init(tracer: tracer))
        try await fixture.settled { try await cache.putBytes("p:1", [1, 2, 3], ttl: .seconds(30)) }
        _ = try await cache.getBytes("p:1")  // from Redis, filling memory
        _ = try await cache.getBytes("p:1")  // from memory
        _ = try await cache.getBytes("p:2")  // a miss, asked of Redis

        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["cache.put", "cache.get", "cache.get", "cache.get"])
        #expect(spans[0].attributes["cache.tier"] == nil)
        #expect(spans[1].attributes["cache.tier"]?.toSpanAttribute() == "redis")
        #expect(spans[1].attributes["db.system.name"]?.toSpanAttribute() == "redis")
        #expect(spans[2].attributes["cache.tier"]?.toSpanAttribute() == "memory")
        #expect(spans[2].attributes["server.address"] == nil)
        #expect(spans[2].attributes["cache.hit"]?.toSpanAttribute() == true)
        #expect(spans[3].attributes["cache.tier"]?.toSpanAttribute() == "redis")
        #expect(spans[3].attributes["cache.hit"]?.toSpanAttribute() == false)
    }

    @Test func countersCountHitsPerTierInvalidationsAndFlushes() async throws {
        let metrics = TestMetrics()
        let fixture = try await TwoTierFixture(configuration: .init(metricsFactory: metrics, metricsLabel: "tiers"))
        try await fixture.waitUntilTracking()
        let key = fixture.key("counted")
        try await fixture.writeElsewhere(key, [1])
        _ = try await fixture.backend.get(key)
        _ = try await fixture.backend.get(key)
        _ = try await fixture.backend.get(key)
        try await fixture.writeElsewhere(key, [2])
        try await fixture.backend.deleteAll(in: fixture.namespace)

        #expect(metrics.counterTotal(label: "cache.tier.hits", dimensions: [("tier", "redis")]) == 1)
        #expect(metrics.counterTotal(label: "cache.tier.hits", dimensions: [("tier", "memory")]) == 2)
        #expect(metrics.counterTotal(label: "cache.tier.invalidations") >= 1)
        #expect(metrics.counterTotal(label: "cache.tier.flushes", dimensions: [("cause", "namespace_flush")]) == 1)
    }
}
