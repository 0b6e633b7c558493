import CacheLayer
import CacheLayerTesting
import InMemoryTracing
import Testing
import Tracing

@testable import CacheLayerRedis

@Suite("Redis spans", .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisTracingTests {
    let tracer = InMemoryTracer()

    @Test func spansCarryTheRedisAndCacheAttributes() async throws {
        let backend = try RedisBackendFixture.backend()
        let (host, port) = try RedisTestServer.address()
        let cache = try Cache(namespace: "products", backend: backend, configuration: .init(tracer: self.tracer))
        try await cache.putBytes("p:1", [1, 2, 3], ttl: .seconds(30))
        _ = try await cache.getBytes("p:1")
        _ = try await cache.getBytes("p:2")

        let spans = self.tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["cache.put", "cache.get", "cache.get"])
        #expect(spans.allSatisfy { $0.kind == .client })
        let redis: SpanAttributes = [
            "db.system.name": "redis",
            "server.address": "\(host)",
            "server.port": .int64(Int64(port)),
            "network.peer.address": "127.0.0.1",
            "network.peer.port": .int64(Int64(port)),
        ]
        func expected(_ extra: SpanAttributes) -> SpanAttributes {
            var attributes = redis
            attributes.merge(extra)
            return attributes
        }
        #expect(
            spans[0].attributes
                == expected([
                    "sentry.op": "cache.put", "cache.operation": "put", "cache.key": .stringArray(["products:p:1"]),
                    "cache.item_size": 3, "cache.ttl": 30, "cache.write": true,
                ])
        )
        #expect(
            spans[1].attributes
                == expected([
                    "sentry.op": "cache.get", "cache.operation": "get", "cache.key": .stringArray(["products:p:1"]),
                    "cache.hit": true, "cache.item_size": 3,
                ])
        )
        #expect(
            spans[2].attributes
                == expected([
                    "sentry.op": "cache.get", "cache.operation": "get", "cache.key": .stringArray(["products:p:2"]),
                    "cache.hit": false,
                ])
        )
    }

    /// `cache.item_age` through Redis: one cache writes, another (its own connections, as another process would)
    /// reads, and the age is measured from the writer's time on the shared freshness clock.
    @Test func aReadOfAnEntryThatRecordsItsWriteTimeSaysHowOldItIs() async throws {
        let prefix = "age-\(UInt32.random(in: 0...UInt32.max)):"
        let clock = ManualCacheClock(start: .seconds(1_800_000_000))
        var configuration = Cache.Configuration(freshnessClock: clock, tracer: self.tracer)
        configuration.recordsItemAge = true
        let writer = try Cache(
            namespace: "products", backend: try RedisBackendFixture.backend(prefix: prefix),
            configuration: configuration)
        let reader = try Cache(
            namespace: "products", backend: try RedisBackendFixture.backend(prefix: prefix),
            configuration: .init(freshnessClock: clock, tracer: self.tracer))
        try await writer.put("p:1", value: "lamp", ttl: .seconds(60))
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        let grace = LoadPolicy(gracePeriod: .seconds(60))
        _ = try await writer.readThrough(key: "p:2", ttl: .seconds(60), policy: grace, coding: coding) { [7] }
        clock.advance(by: .seconds(12))
        #expect(try await reader.get("p:1", as: String.self) == "lamp")
        #expect(
            try await reader.readThrough(key: "p:2", ttl: .seconds(60), policy: grace, coding: coding) { [8] }.value
                == [7])
        let gets = self.tracer.finishedSpans.filter {
            $0.operationName == "cache.get" && $0.attributes.get("cache.hit") == true
        }
        #expect(gets.map { $0.attributes.get("cache.item_age") } == [12, 12])
    }

    @Test func errorRepliesSetTheResponseStatusCode() async throws {
        let backend = try RedisBackendFixture.backend()
        let prefix = backend.configuration.keyPrefix
        _ = try await backend.command("LPUSH", "\(prefix)products:list", "x")
        let cache = try Cache(namespace: "products", backend: backend, configuration: .init(tracer: self.tracer))
        #expect(try await cache.getBytes("list") == nil)  // fail-open: a miss for the caller
        let span = try #require(self.tracer.finishedSpans.first)
        #expect(span.status?.code == .error)
        #expect(span.attributes.get("error.type") == "backend_error")
        #expect(span.attributes.get("db.response.status_code") == "WRONGTYPE")
        #expect(span.attributes.get("cache.hit") == nil)
        _ = try await backend.command("DEL", "\(prefix)products:list")
    }

    @Test func unreachableServerIsRecordedAndFailsOpen() async throws {
        var configuration = try RedisBackend.Configuration(
            url: "redis://127.0.0.1:\(try RedisServerProcess.freePort())")
        configuration.connectTimeout = .milliseconds(50)
        let cache = try Cache(
            namespace: "products",
            backend: try RedisBackend(configuration: configuration),
            configuration: .init(tracer: self.tracer)
        )
        #expect(try await cache.getBytes("p:1") == nil)
        let span = try #require(self.tracer.finishedSpans.first)
        #expect(span.attributes.get("error.type") == "backend_unavailable")
        #expect(span.errors.count == 1)
    }

    @Test func jitteredTTLIsWhatRedisAndTheSpanShow() async throws {
        let backend = try RedisBackendFixture.backend()
        let cache = try Cache(
            namespace: "products",
            backend: backend,
            configuration: .init(ttlJitter: .proportional(0.5), random: SeededCacheRandom(seed: 3), tracer: self.tracer)
        )
        try await cache.putBytes("p:9", [1], ttl: .seconds(600))
        guard case .int64(let reported) = try #require(self.tracer.finishedSpans.first?.attributes.get("cache.ttl")),
            case .integer(let pttl) = try await backend.command(
                "PTTL", "\(backend.configuration.keyPrefix)products:p:9")
        else {
            Issue.record("missing cache.ttl or PTTL")
            return
        }
        #expect(reported != 600 && (300...900).contains(reported))
        // PTTL counts down from the stored TTL; the span rounds it to whole seconds.
        #expect(abs(Double(pttl) / 1_000 - Double(reported)) < 2, "PTTL \(pttl) ms, span \(reported) s")
        try await cache.removeAll()
    }
}
