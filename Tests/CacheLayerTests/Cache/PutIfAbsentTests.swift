import InMemoryTracing
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

/// `Cache.putIfAbsent`: stores only over nothing, with `put`'s key checks, TTL rules and `cache.put` span.
@Suite("Cache.putIfAbsent")
struct PutIfAbsentTests {
    struct Product: Codable, Equatable {
        var id: Int
        var name: String
    }

    /// Draws the top of the range every time: the jitter lengthens the TTL as much as it can.
    struct HighestDraw: CacheRandom {
        func nextUnit() -> Double { 0.999 }
    }

    let tracer = InMemoryTracer()
    let clock = ManualCacheClock(start: .seconds(1_000))

    func makeCache(jitter: TTLJitter = .none) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock))
        return try Cache(
            namespace: "products", backend: backend,
            configuration: .init(ttlJitter: jitter, random: HighestDraw(), tracer: self.tracer))
    }

    @Test func storesOverNothingAndLeavesALiveValueInPlace() async throws {
        let cache = try self.makeCache()
        #expect(try await cache.putIfAbsent("p:1", value: Product(id: 1, name: "Lamp")))
        #expect(try await !cache.putIfAbsent("p:1", value: Product(id: 1, name: "Desk")))
        #expect(try await cache.get("p:1", as: Product.self) == Product(id: 1, name: "Lamp"))
    }

    @Test func anExpiredValueIsAbsent() async throws {
        let cache = try self.makeCache()
        #expect(try await cache.putIfAbsent("p:1", value: 1, ttl: .seconds(10)))
        self.clock.advance(by: .seconds(11))
        #expect(try await cache.putIfAbsent("p:1", value: 2, ttl: .seconds(10)))
        #expect(try await cache.get("p:1", as: Int.self) == 2)
    }

    @Test func theSpanIsPutsWithWriteFalseWhenTheKeyExisted() async throws {
        let cache = try self.makeCache()
        try await cache.putIfAbsent("p:1", value: Product(id: 1, name: "Lamp"), ttl: .milliseconds(90_600))
        try await cache.putIfAbsent("p:1", value: Product(id: 1, name: "Lamp"), ttl: .milliseconds(90_600))
        let spans = self.tracer.finishedSpans
        try #require(spans.count == 2)
        let size = try #require(try await cache.getBytes("p:1")).count
        for (span, written) in zip(spans, [true, false]) {
            #expect(span.operationName == "cache.put")
            #expect(
                span.attributes == [
                    "sentry.op": "cache.put", "cache.operation": "put",
                    "cache.key": .stringArray(["products:p:1"]),
                    "cache.item_size": .int64(Int64(size)),
                    "cache.ttl": 91,
                    "cache.write": .bool(written),
                ]
            )
        }
    }

    @Test func refusesABadKeyOrTTLAsPutDoes() async throws {
        let cache = try self.makeCache()
        let badKey = await #expect(throws: CacheError.self) { try await cache.putIfAbsent("", value: 1) }
        let badTTL = await #expect(throws: CacheError.self) { try await cache.putIfAbsent("k", value: 1, ttl: .zero) }
        #expect(badKey?.code == .invalidKey)
        #expect(badTTL?.code == .invalidTTL)
    }

    @Test func theLongestTTLWithTheLongestJitterIsClamped() async throws {
        let cache = try self.makeCache(jitter: .added(upTo: .seconds(Int64.max)))
        #expect(try await cache.putIfAbsent("k", value: 1, ttl: .seconds(Int64.max)))
        #expect(try await cache.get("k", as: Int.self) == 1)
    }

    @Test func aValueBeginningWithTheFrameMarkerReadsBackUnchanged() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let cache = try Cache(namespace: "raw", backend: backend, configuration: .init(codec: RawBytesCodec()))
        #expect(try await cache.putIfAbsent("k", value: RawBytes(bytes: [0xCA, 1, 2])))
        #expect(try await cache.get("k", as: RawBytes.self) == RawBytes(bytes: [0xCA, 1, 2]))
        #expect(try await cache.getBytes("k") == [0xCA, 1, 2])
    }
}
