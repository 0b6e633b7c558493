import CacheLayerTestSupport
import MetricsTestKit
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// Loaders that say how their value is cached (`LoadResult`), and negative caching of `nil`.
@Suite("Adaptive loads and negative caching")
struct AdaptiveLoadTests {
    let clock = ManualCacheClock(start: .seconds(1_000))
    let metrics = TestMetrics()
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })

    func makeCache(_ policy: LoadPolicy = LoadPolicy()) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        return try Cache(
            namespace: "adaptive",
            backend: backend,
            configuration: .init(loadPolicy: policy, freshnessClock: self.clock, metricsFactory: self.metrics)
        )
    }

    func counter(_ label: String) -> Int64 {
        (try? self.metrics.expectCounter(label, [("cache", "adaptive")]).totalValue) ?? 0
    }

    @Test func aLoadersTTLReplacesTheCalls() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let load: @Sendable () async throws -> LoadResult<Int> = {
            loads.increment()
            return LoadResult(loads.count, ttl: .seconds(5))
        }
        #expect(try await cache.getOrLoad(key: "quote", ttl: .seconds(60), adaptiveLoader: load) == 1)
        self.clock.advance(by: .seconds(4))
        #expect(try await cache.getOrLoad(key: "quote", ttl: .seconds(60), adaptiveLoader: load) == 1)
        self.clock.advance(by: .seconds(2))
        #expect(try await cache.getOrLoad(key: "quote", ttl: .seconds(60), adaptiveLoader: load) == 2)
    }

    @Test func aValueNotToBeCachedIsReturnedAndSharedButNotStored() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "page", ttl: .seconds(60)) { () async throws -> LoadResult<[UInt8]> in
                loads.increment()
                started.open()
                await release.wait()
                return LoadResult([5], cachesValue: false)
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.readThrough(key: "page", ttl: .seconds(60), coding: self.bytes) {
                () async throws -> [UInt8] in
                loads.increment()
                return [6]
            }
        }
        let key = CacheKey(namespace: cache.namespace, key: "page")
        #expect(await waitUntil { cache.core.flights.flight(for: key)?.waitersJoined == 1 })
        release.open()
        #expect(try await leader.value == [5])
        let shared = try await follower.value
        #expect(shared.value == [5] && shared.source == .shared)
        #expect(loads.count == 1)
        #expect(try await cache.getBytes("page") == nil)
    }

    @Test func aLoadersTTLThatIsNotPositiveIsRefused() async throws {
        let cache = try self.makeCache()
        let error = await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { LoadResult(1, ttl: .zero) }
        }
        #expect(error?.code == .invalidTTL)
    }

    @Test func aNilIsCachedForTheNegativeTTLAndCountedApart() async throws {
        let cache = try self.makeCache(LoadPolicy(negativeTTL: .seconds(5)))
        let loads = LoadCounter()
        let lookUp: @Sendable () async throws -> Int? = {
            loads.increment()
            return nil
        }
        #expect(try await cache.getOrLoad(key: "user:404", ttl: .seconds(600), loader: lookUp) == nil)
        #expect(try await cache.getOrLoad(key: "user:404", ttl: .seconds(600), loader: lookUp) == nil)
        #expect(loads.count == 1)
        #expect(self.counter("cache.negative_hits") == 1)
        self.clock.advance(by: .seconds(6))
        #expect(try await cache.getOrLoad(key: "user:404", ttl: .seconds(600), loader: lookUp) == nil)
        #expect(loads.count == 2)
        // A value that is there is kept for the call's TTL, and its hits are not negative.
        #expect(try await cache.getOrLoad(key: "user:1", ttl: .seconds(600)) { Int?.some(1) } == 1)
        self.clock.advance(by: .seconds(6))
        #expect(try await cache.getOrLoad(key: "user:1", ttl: .seconds(600)) { Int?.some(2) } == 1)
        #expect(self.counter("cache.negative_hits") == 1)
    }
}
