import CacheLayerTestSupport
import MetricsTestKit
import Synchronization
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// Soft and hard loader timeouts. The loaders hang on a gate or until cancelled, so what a caller gets does not
/// depend on how fast the machine is: only when it gets it does (the timeouts are short real durations).
@Suite("Loader timeouts")
struct LoaderTimeoutTests {
    let clock = ManualCacheClock(start: .seconds(1_000))
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })

    func makeCache(_ policy: LoadPolicy) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        return try Cache(
            namespace: "timeouts",
            backend: backend,
            configuration: .init(loadPolicy: policy, freshnessClock: self.clock)
        )
    }

    /// Loaders running now, across tasks: a load that was cancelled and stopped is no longer counted.
    final class RunningLoads: Sendable {
        private let count = Mutex(0)
        var now: Int { self.count.withLock { $0 } }

        /// Runs `body` counted.
        func run<T>(_ body: () async throws -> T) async throws -> T {
            self.count.withLock { $0 += 1 }
            defer { self.count.withLock { $0 -= 1 } }
            return try await body()
        }
    }

    func noFlight(of key: String, in cache: Cache) -> Bool {
        cache.core.flights.flight(for: CacheKey(namespace: cache.namespace, key: key)) == nil
    }

    @Test func pastTheSoftTimeoutCallersGetTheStaleValueAndTheLoadStoresInTheBackground() async throws {
        let cache = try self.makeCache(LoadPolicy(maximumStaleAge: .seconds(60), softTimeout: .milliseconds(50)))
        _ = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { [UInt8]([1]) }
        self.clock.advance(by: .seconds(11))
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [2]
            }
        }
        await started.wait()
        let follower = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> [UInt8] in
            Issue.record("a coalesced caller must not load")
            return [9]
        }
        // Both callers got the stale value while the load still hangs.
        #expect(try await leader.value == [1])
        #expect(follower == [1])
        release.open()
        #expect(try await waitUntil { try await cache.get("report", as: [UInt8].self) == [2] })
        #expect(await waitUntil { self.noFlight(of: "report", in: cache) })
    }

    @Test func pastTheHardTimeoutWithNothingStaleTheCallerGetsLoaderTimeoutAndTheLoadIsCancelled() async throws {
        let cache = try self.makeCache(LoadPolicy(hardTimeout: .milliseconds(50)))
        let running = RunningLoads()
        let error = await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: "cold", ttl: .seconds(10)) { () async throws -> [UInt8] in
                try await running.run {
                    try await Task.sleep(for: .seconds(3_600))  // until cancelled
                    return [1]
                }
            }
        }
        #expect(error?.code == .loaderTimeout)
        // No task is left: the load was cancelled and stopped, and the flight is gone.
        #expect(await waitUntil { running.now == 0 })
        #expect(self.noFlight(of: "cold", in: cache))
        #expect(try await cache.getBytes("cold") == nil)
    }

    @Test func aWaiterStopsWaitingAtItsHardTimeout() async throws {
        let cache = try self.makeCache(LoadPolicy(hardTimeout: .milliseconds(50)))
        let started = Gate()
        // A readThrough leader: its own timeout ends it too (LeaderTimeoutTests).
        let leader = Task {
            try await cache.readThrough(key: "cold", ttl: .seconds(10), coding: self.bytes) {
                () async throws -> [UInt8] in
                started.open()
                try await Task.sleep(for: .seconds(3_600))  // until cancelled
                return [1]
            }
        }
        await started.wait()
        let error = await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: "cold", ttl: .seconds(10)) { () async throws -> [UInt8] in
                Issue.record("a coalesced caller must not load")
                return [9]
            }
        }
        #expect(error?.code == .loaderTimeout)
        let leaderError = await #expect(throws: CacheError.self) { try await leader.value }
        #expect(leaderError?.code == .loaderTimeout)
        #expect(self.noFlight(of: "cold", in: cache))
    }

    @Test func pastTheHardTimeoutAStaleValueIsServed() async throws {
        let cache = try self.makeCache(LoadPolicy(maximumStaleAge: .seconds(60), hardTimeout: .milliseconds(50)))
        // Stored without the timeout: a busy machine may take 50 ms to run even this load.
        _ = try await cache.getOrLoad(
            key: "report", ttl: .seconds(10), policy: LoadPolicy(maximumStaleAge: .seconds(60))
        ) {
            1
        }
        self.clock.advance(by: .seconds(11))
        let running = RunningLoads()
        let value = try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { () async throws -> Int in
            try await running.run {
                try await Task.sleep(for: .seconds(3_600))
                return 2
            }
        }
        #expect(value == 1)
        #expect(await waitUntil { running.now == 0 })
        #expect(self.noFlight(of: "report", in: cache))
    }

    @Test func aLoadWithinItsTimeoutsIsUnaffected() async throws {
        let cache = try self.makeCache(
            LoadPolicy(maximumStaleAge: .seconds(60), softTimeout: .seconds(30), hardTimeout: .seconds(60)))
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 1 } == 1)
        self.clock.advance(by: .seconds(11))
        #expect(try await cache.getOrLoad(key: "report", ttl: .seconds(10)) { 2 } == 2)
    }
}

extension LoaderTimeoutTests {
    /// A coalesced caller's timeout bounds the whole call: when the leader's value is not shared
    /// (``SingleFlight/Handoff/notShared``), the caller's own load gets what is left of its limit, not a new one.
    /// The sleep only lengthens the leader's load, so the overshoot the test would measure is a lower bound.
    @Test func aCoalescedCallerWhoseLeadersValueIsNotSharedStillTimesOutOnTime() async throws {
        let cache = try Cache(namespace: "review", backend: try MemoryBackend(byteBudget: 1 << 20))
        // The coding declines the leader's value (as the HTTP coding declines an uncacheable response).
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 == [1] ? nil : $0 }, decode: { $0 })
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.readThrough(key: "page", ttl: .seconds(60), coding: coding) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]
            }
        }
        await started.wait()
        let limit = Duration.seconds(1)
        let clock = ContinuousClock()
        let start = clock.now
        let follower = Task {
            try await cache.readThrough(
                key: "page", ttl: .seconds(60), policy: LoadPolicy(hardTimeout: limit), coding: coding
            ) { () async throws -> [UInt8] in
                try await Task.sleep(for: .seconds(30))  // a slow source; stops when cancelled
                return [2]
            }
        }
        let key = CacheKey(namespace: cache.namespace, key: "page")
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        try await Task.sleep(for: .milliseconds(700))  // the leader's load takes most of the follower's limit
        release.open()
        #expect(try await leader.value.value == [1])
        let error = await #expect(throws: CacheError.self) { try await follower.value }
        #expect(error?.code == .loaderTimeout)
        let waited = clock.now - start
        #expect(waited < limit + .milliseconds(300), "the follower waited \(waited) with a hard timeout of \(limit)")
    }
}
