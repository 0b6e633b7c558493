import CacheLayerTestSupport
import MetricsTestKit
import Synchronization
import Testing

@testable import CacheLayer

/// `getOrLoad` and `readThrough` callers of one key share one single-flight: whichever misses first leads, the
/// others wait, and every hand-off (leader cancelled, value not shared, error) reaches callers of both kinds.
/// The order of callers is forced by waiting until each has joined the flight, never by sleeping.
@Suite("One single-flight for getOrLoad and readThrough")
struct MixedReadThroughFlightTests {
    let metrics = TestMetrics()
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    let declining = CacheValueCoding<[UInt8]>(encode: { _ in nil }, decode: { $0 })

    func makeCache() throws -> Cache {
        try Cache(
            namespace: "mixed",
            backend: try MemoryBackend(byteBudget: 8 << 20),
            configuration: .init(metricsFactory: self.metrics)
        )
    }

    func counter(_ label: String) -> Int64 {
        (try? self.metrics.expectCounter(label, [("cache", "mixed")]).totalValue) ?? 0
    }

    /// Waits until `count` callers wait on the flight of `key` (bounded: 30 s, so a broken build fails rather than
    /// hangs). Returns whether they did.
    func waiters(_ count: Int, on key: String, in cache: Cache) async -> Bool {
        let cacheKey = CacheKey(namespace: cache.namespace, key: key)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let flight = cache.core.flights.flight(for: cacheKey), flight.waitersJoined >= count { return true }
            await Task.yield()
        }
        return false
    }

    @Test func aReadThroughCallerJoinsTheLoadOfAGetOrLoadLeader() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                started.open()
                await release.wait()
                return [7]
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.bytes) { () async throws -> [UInt8] in
                loads.increment()
                return [9]
            }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        release.open()
        #expect(try await leader.value == [7])
        let shared = try await follower.value
        #expect(shared.value == [7] && shared.source == .shared)
        #expect(loads.count == 1)
        #expect(self.counter("cache.loads") == 1 && self.counter("cache.coalesced_loads") == 1)
    }

    @Test func aGetOrLoadCallerJoinsTheLoadOfAReadThroughLeader() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.bytes) { () async throws -> [UInt8] in
                loads.increment()
                started.open()
                await release.wait()
                return [7]
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                return [9]
            }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        release.open()
        let led = try await leader.value
        #expect(led.value == [7] && led.source == .loaded)
        #expect(try await follower.value == [7])
        #expect(loads.count == 1)
        #expect(self.counter("cache.loads") == 1 && self.counter("cache.coalesced_loads") == 1)
    }

    @Test func whenAReadThroughLeaderIsCancelledAGetOrLoadWaiterReadsAgainThenLeads() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let leader = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.bytes) { () async throws -> [UInt8] in
                loads.increment()
                started.open()
                // Runs until cancelled, like a handler whose client went away.
                try await Task.sleep(for: .seconds(3_600))
                return [1]
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                return [2]
            }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        leader.cancel()
        await #expect(throws: CancellationError.self) { try await leader.value }
        #expect(try await follower.value == [2])
        #expect(loads.count == 2)
        #expect(try await cache.get("k", as: [UInt8].self) == [2])
        // Two callers, each of which ran a load; neither got another's value.
        #expect(self.counter("cache.loads") == 2 && self.counter("cache.coalesced_loads") == 0)
    }

    @Test func aCancelledGetOrLoadLeaderLeavesTheLoadRunningForAReadThroughWaiter() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                started.open()
                await release.wait()
                try Task.checkCancellation()  // would throw if the load inherited the leader's cancellation
                return [5]
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.bytes) { () async throws -> [UInt8] in
                loads.increment()
                return [6]
            }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        leader.cancel()
        await #expect(throws: CancellationError.self) { try await leader.value }
        release.open()
        let shared = try await follower.value
        #expect(shared.value == [5] && shared.source == .shared)
        #expect(loads.count == 1)
    }

    @Test func aValueTheLeadersCodingDeclinesMakesAGetOrLoadWaiterLoadItsOwn() async throws {
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.declining) {
                () async throws -> [UInt8] in
                loads.increment()
                started.open()
                await release.wait()
                return [1]
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                return [2]
            }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        release.open()
        let led = try await leader.value
        #expect(led.value == [1] && led.source == .loaded)
        #expect(try await follower.value == [2])
        #expect(loads.count == 2)
        #expect(self.counter("cache.loads") == 2 && self.counter("cache.coalesced_loads") == 0)
    }

    @Test func aValueOfAnotherTypeMakesTheWaiterLoadItsOwn() async throws {
        let cache = try self.makeCache()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.bytes) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]
            }
        }
        await started.wait()
        let follower = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> String in "own" }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        release.open()
        _ = try await leader.value
        #expect(try await follower.value == "own")
    }

    @Test func theLeadersErrorReachesWaitersOfBothKinds() async throws {
        struct OriginDown: Error, Equatable {}
        let cache = try self.makeCache()
        let loads = LoadCounter()
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                started.open()
                await release.wait()
                throw OriginDown()
            }
        }
        await started.wait()
        let inline = Task {
            try await cache.readThrough(key: "k", ttl: .seconds(60), coding: self.bytes) { () async throws -> [UInt8] in
                loads.increment()
                return [1]
            }
        }
        #expect(await self.waiters(1, on: "k", in: cache))
        let typed = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                loads.increment()
                return [2]
            }
        }
        #expect(await self.waiters(2, on: "k", in: cache))
        release.open()
        await #expect(throws: OriginDown.self) { try await leader.value }
        await #expect(throws: OriginDown.self) { try await inline.value }
        await #expect(throws: OriginDown.self) { try await typed.value }
        #expect(loads.count == 1)
        #expect(try await cache.getBytes("k") == nil)
        #expect(self.counter("cache.loads") == 1 && self.counter("cache.coalesced_loads") == 2)
    }
}
