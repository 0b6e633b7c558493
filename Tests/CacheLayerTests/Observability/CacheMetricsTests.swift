import MetricsTestKit
import Testing

@testable import CacheLayer
import CacheLayerTesting

@Suite("Cache metrics")
struct CacheMetricsTests {
    let metrics = TestMetrics()

    func requests(_ operation: String, _ result: String, cache: String = "products") throws -> Int64 {
        try self.metrics.expectCounter(
            "cache.requests",
            [("cache", cache), ("operation", operation), ("result", result)]
        ).totalValue
    }

    @Test func everyCallIsCountedAndTimedWithLowCardinalityDimensions() async throws {
        let backend = try MemoryBackend(byteBudget: 8 << 20)
        let cache = try Cache(
            namespace: "products", backend: backend, configuration: .init(metricsFactory: self.metrics))
        try await cache.putBytes("p:1", [1, 2, 3, 4])
        _ = try await cache.getBytes("p:1")
        _ = try await cache.getBytes("p:1")
        _ = try await cache.getBytes("p:2")
        try await cache.putBytes("p:3", Array("not json".utf8))
        _ = try await cache.get("p:3", as: Product.self)
        try await cache.remove("p:1")
        try await cache.removeAll()

        #expect(try self.requests("get", "hit") == 2)
        #expect(try self.requests("get", "miss") == 2)
        #expect(try self.requests("get", "error") == 0)
        #expect(try self.requests("put", "ok") == 2)
        #expect(try self.requests("remove", "ok") == 1)
        #expect(try self.requests("flush", "ok") == 1)
        #expect(try self.metrics.expectCounter("cache.decode_failures", [("cache", "products")]).totalValue == 1)
        let getTimer = try self.metrics.expectTimer("cache.duration", [("cache", "products"), ("operation", "get")])
        #expect(getTimer.values.count == 4)
        #expect(getTimer.values.allSatisfy { $0 > 0 })
        let putSizes = try self.metrics.expectRecorder(
            "cache.item_size", [("cache", "products"), ("operation", "put")])
        #expect(putSizes.values == [4, 8])
        let getSizes = try self.metrics.expectRecorder(
            "cache.item_size", [("cache", "products"), ("operation", "get")])
        #expect(getSizes.values == [4, 4])
        // No dimension carries a key.
        for counter in self.metrics.counters {
            #expect(!counter.dimensions.contains { $0.1.contains("p:") })
        }
    }

    @Test func backendFailuresCountAsErrors() async throws {
        let cache = try Cache(
            namespace: "products",
            backend: ControllableBackend.down(CacheError(.timeout, "slow")),
            configuration: .init(metricsFactory: self.metrics)
        )
        _ = try await cache.getBytes("p:1")
        try await cache.putBytes("p:1", [1])
        #expect(try self.requests("get", "error") == 1)
        #expect(try self.requests("put", "error") == 1)
        #expect(try self.requests("get", "miss") == 0)
    }

    @Test func memoryGaugesFollowBytesEntriesAndEvictions() async throws {
        let key = CacheKey(namespace: try CacheNamespace("m"), key: "k0")
        let entryCost = MemoryBackend.cost(of: key, valueCount: 10)
        let backend = try MemoryBackend(
            configuration: .init(
                byteBudget: entryCost * 2, shardCount: 1, metricsFactory: self.metrics, metricsLabel: "l1")
        )
        let cache = try Cache(namespace: "m", backend: backend)
        for index in 0..<5 {
            try await cache.putBytes("k\(index)", [UInt8](repeating: 1, count: 10))
        }
        try await cache.remove("k4")
        let bytes = try self.metrics.expectMeter("cache.memory.bytes", [("backend", "l1")])
        let entries = try self.metrics.expectMeter("cache.memory.entries", [("backend", "l1")])
        #expect(bytes.lastValue == Double(backend.statistics.bytes))
        #expect(bytes.lastValue == Double(entryCost))
        #expect(entries.lastValue == 1)
        #expect(try self.metrics.expectCounter("cache.memory.evictions", [("backend", "l1")]).totalValue == 3)
    }
}
