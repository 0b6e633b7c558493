import CacheLayerTestSupport
import MetricsTestKit
import Synchronization
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// `readThrough`: read-through whose loader runs in the caller's task (a middleware's `next`), saying where each
/// value came from.
@Suite("Read-through with the loader in the caller's task")
struct InlineReadThroughTests {
    let clock = ManualCacheClock(start: .seconds(1_000))
    let metrics = TestMetrics()
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    /// Stores nothing: as a middleware's coding does for a `Cache-Control: no-store` response.
    let declining = CacheValueCoding<[UInt8]>(encode: { _ in nil }, decode: { $0 })

    func makeCache(policy: LoadPolicy = .init()) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        return try Cache(
            namespace: "inline",
            backend: backend,
            configuration: .init(
                random: SeededCacheRandom(seed: 3),
                loadPolicy: policy,
                freshnessClock: self.clock,
                metricsFactory: self.metrics
            )
        )
    }

    func counter(_ label: String) -> Int64 {
        (try? self.metrics.expectCounter(label, [("cache", "inline")]).totalValue) ?? 0
    }

    /// Waits until `count` callers wait on the flight of `key` (bounded, so that a broken build fails rather than
    /// hangs). The order of callers is forced this way, never by sleeping.
    func waiters(_ count: Int, on key: String = "page:1", in cache: Cache) async -> Bool {
        let cacheKey = CacheKey(namespace: cache.namespace, key: key)
        return await waitUntil { (cache.core.flights.flight(for: cacheKey)?.waitersJoined ?? 0) >= count }
    }

    /// Runs `count` concurrent reads of `key`, each with `loader`; returns their results once all are done.
    func concurrentReads(
        _ cache: Cache,
        count: Int,
        key: String = "page:1",
        coding: CacheValueCoding<[UInt8]>? = nil,
        loader: @escaping @Sendable () async throws -> [UInt8]
    ) async throws -> [ReadThroughResult<[UInt8]>] {
        let coding = coding ?? self.bytes
        return try await withThrowingTaskGroup(of: ReadThroughResult<[UInt8]>.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await cache.readThrough(key: key, ttl: .seconds(10), coding: coding) { try await loader() }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aMissLoadsAndStoresThenTheNextReadIsAHit() async throws {
        let cache = try self.makeCache()
        let first = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) { [1, 2, 3] }
        #expect(first.value == [1, 2, 3] && first.source == .loaded)
        let second = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) {
            Issue.record("a hit must not load")
            return []
        }
        #expect(second.value == [1, 2, 3] && second.source == .hit)
        #expect(try await cache.getBytes("page:1") == [1, 2, 3])
    }

    @Test func concurrentMissesRunOneLoadAndShareItsValue() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let gate = Gate()
        async let results = self.concurrentReads(cache, count: 100) {
            loads.increment()
            await gate.wait()
            return Array("rendered".utf8)
        }
        // One caller leads; once the 99 others wait on its flight, the load may finish.
        let joined = await self.waiters(99, in: cache)
        gate.open()
        let all = try await results
        #expect(joined, "the other 99 callers did not all join the leader's flight")
        #expect(loads.count == 1)
        #expect(all.allSatisfy { $0.value == Array("rendered".utf8) })
        #expect(all.filter { $0.source == .loaded }.count == 1)
        #expect(all.filter { $0.source == .shared }.count == 99)
    }

    @Test func aValueTheCodingDeclinesIsNeitherStoredNorShared() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let gate = Gate()
        async let results = self.concurrentReads(cache, count: 20, coding: self.declining) {
            loads.increment()
            await gate.wait()
            return Array("private".utf8)
        }
        // The 19 others wait on the leader's flight, so the value is one it could hand them.
        let joined = await self.waiters(19, in: cache)
        gate.open()
        let all = try await results
        #expect(joined, "the other 19 callers did not all join the leader's flight")
        // Every caller ran its own load: a response that must not be stored is not handed to anyone else either.
        #expect(loads.count == 20)
        #expect(all.allSatisfy { $0.source == .loaded && $0.value == Array("private".utf8) })
        #expect(try await cache.getBytes("page:1") == nil)
    }

    @Test func everyWaiterGetsTheLeadersError() async throws {
        struct RenderFailed: Error {}
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let gate = Gate()
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    do {
                        _ = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) {
                            () async throws -> [UInt8] in
                            loads.increment()
                            await gate.wait()
                            throw RenderFailed()
                        }
                        return false
                    } catch {
                        return error is RenderFailed
                    }
                }
            }
            // All 29 others wait on the failing flight: none can come late and start a second load.
            let joined = await self.waiters(29, in: cache)
            gate.open()
            #expect(joined, "the other 29 callers did not all join the leader's flight")
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(failures.count == 30 && failures.allSatisfy { $0 })
        #expect(loads.count == 1)
        #expect(try await cache.getBytes("page:1") == nil)
    }

    @Test func whenTheLeaderIsCancelledAWaiterTakesOver() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let leaderStarted = Gate()
        let leader = Task {
            try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) {
                () async throws -> [UInt8] in
                loads.increment()
                leaderStarted.open()
                // Runs until cancelled, like a handler whose client went away.
                while true { try await Task.sleep(for: .milliseconds(10)) }
            }
        }
        await leaderStarted.wait()
        let cacheKey = CacheKey(namespace: cache.namespace, key: "page:1")
        let leadersFlight = try #require(cache.core.flights.flight(for: cacheKey))
        let takeOver = Gate()
        async let followers = self.concurrentReads(cache, count: 10) {
            loads.increment()
            await takeOver.wait()
            return [42]
        }
        // The 10 followers wait on the leader's flight when it is cancelled.
        let joined = await self.waiters(10, in: cache)
        leader.cancel()
        // One follower takes over and loads; its load is held until the 9 others have joined its flight.
        let tookOver = await waitUntil {
            guard let flight = cache.core.flights.flight(for: cacheKey), flight !== leadersFlight else { return false }
            return loads.count == 2 && flight.waitersJoined >= 9
        }
        takeOver.open()
        let results = try await followers
        #expect(joined, "the followers did not all join the leader's flight")
        #expect(tookOver, "no follower took over with the 9 others waiting on it")
        #expect(await leader.result.failure is CancellationError)
        #expect(results.allSatisfy { $0.value == [42] })
        // The leader's load, then one follower's: the others shared it.
        #expect(loads.count == 2)
        #expect(results.filter { $0.source == .loaded }.count == 1)
        #expect(results.filter { $0.source == .shared }.count == 9)
    }

    @Test func aStaleValueIsRefreshedByOneCallerWhileTheOthersGetItAtOnce() async throws {
        let cache = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(60)))
        _ = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) { [1] }
        self.clock.advance(by: .seconds(11))
        let loads = LoadCounter()
        let refreshing = Gate()
        let gate = Gate()
        let refresher = Task {
            try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) {
                loads.increment()
                refreshing.open()
                await gate.wait()
                return [2]
            }
        }
        // The refresh is under way (and held) before the others read.
        await refreshing.wait()
        let others = try await self.concurrentReads(cache, count: 20) {
            loads.increment()
            return [3]
        }
        #expect(others.allSatisfy { $0.value == [1] && $0.source == .stale })
        gate.open()
        let refreshed = try await refresher.value
        #expect(refreshed.value == [2] && refreshed.source == .loaded)
        #expect(loads.count == 1)
        #expect(self.counter("cache.stale_serves") == 20)
        let after = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) { [4] }
        #expect(after.value == [2] && after.source == .hit)
    }

    @Test func aFailedRefreshServesTheStaleValueAndIsCounted() async throws {
        struct RenderFailed: Error {}
        let cache = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(60)))
        _ = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) { [1] }
        self.clock.advance(by: .seconds(11))
        let result = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) {
            () async throws -> [UInt8] in
            throw RenderFailed()
        }
        #expect(result.value == [1] && result.source == .stale)
        #expect(self.counter("cache.refresh_failures") == 1)
        #expect(self.counter("cache.stale_serves") == 1)
    }

    @Test func pastItsGraceAValueIsAMiss() async throws {
        let cache = try self.makeCache(policy: LoadPolicy(gracePeriod: .seconds(5)))
        _ = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) { [1] }
        self.clock.advance(by: .seconds(16))
        let result = try await cache.readThrough(key: "page:1", ttl: .seconds(10), coding: self.bytes) { [2] }
        #expect(result.value == [2] && result.source == .loaded)
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
