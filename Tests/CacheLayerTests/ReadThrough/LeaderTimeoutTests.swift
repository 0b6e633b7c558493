import CacheLayerTestSupport
import Synchronization
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// The loader timeouts bound the caller that leads a `readThrough` load, not only those waiting for it. The manual
/// clock makes the stored value stale; the loaders hang (on a gate, or until cancelled), so what each caller gets
/// does not depend on the machine's speed, only when it gets it does. Each test has a time limit: a caller held
/// past its timeout fails the test instead of hanging the run.
@Suite("Loader timeouts bound the readThrough leader")
struct LeaderTimeoutTests {
    let clock = ManualCacheClock(start: .seconds(1_000))
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    /// The policy the stale value is stored under: no timeout, so that a slow machine cannot time its load out.
    let storing = LoadPolicy(maximumStaleAge: .seconds(60))

    func makeCache(_ policy: LoadPolicy) throws -> Cache {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        return try Cache(
            namespace: "leader-timeouts",
            backend: backend,
            configuration: .init(loadPolicy: policy, freshnessClock: self.clock)
        )
    }

    func noFlight(of key: String, in cache: Cache) -> Bool {
        cache.core.flights.flight(for: CacheKey(namespace: cache.namespace, key: key)) == nil
    }

    /// Stores `[1]` under `key`, then moves the clock past its TTL (within its maximum stale age).
    func storeStale(_ key: String, in cache: Cache) async throws {
        _ = try await cache.readThrough(key: key, ttl: .seconds(10), policy: self.storing, coding: self.bytes) { [1] }
        self.clock.advance(by: .seconds(11))
    }

    @Test(.timeLimit(.minutes(1)))
    func pastTheHardTimeoutTheLeaderGetsLoaderTimeoutAndItsLoadIsCancelled() async throws {
        let cache = try self.makeCache(LoadPolicy(hardTimeout: .milliseconds(50)))
        let running = LoaderTimeoutTests.RunningLoads()
        let error = await #expect(throws: CacheError.self) {
            try await cache.readThrough(key: "cold", ttl: .seconds(10), coding: self.bytes) {
                () async throws -> [UInt8] in
                try await running.run {
                    try await Task.sleep(for: .seconds(3_600))  // until cancelled
                    return [1]
                }
            }
        }
        #expect(error?.code == .loaderTimeout)
        // The loader was cancelled and has stopped (the call returns only then), and the flight is gone.
        #expect(running.now == 0)
        #expect(self.noFlight(of: "cold", in: cache))
        #expect(try await cache.getBytes("cold") == nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func pastTheHardTimeoutTheLeaderAndItsFollowerGetTheStaleValue() async throws {
        let cache = try self.makeCache(LoadPolicy(maximumStaleAge: .seconds(60), hardTimeout: .milliseconds(50)))
        try await self.storeStale("page", in: cache)
        let running = LoaderTimeoutTests.RunningLoads()
        let started = Gate()
        async let leader = cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) {
            () async throws -> [UInt8] in
            try await running.run {
                started.open()
                try await Task.sleep(for: .seconds(3_600))  // until cancelled
                return [2]
            }
        }
        await started.wait()
        let follower = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) {
            () async throws -> [UInt8] in
            Issue.record("a coalesced caller must not load")
            return [9]
        }
        let led = try await leader
        #expect(led.value == [1] && led.source == .stale)
        #expect((led.loadError as? CacheError)?.code == .loaderTimeout)
        #expect(follower.value == [1] && follower.source == .stale)
        #expect(running.now == 0)
        #expect(self.noFlight(of: "page", in: cache))
    }

    /// A `readThrough` loader runs within its caller's call and cannot outlive it: at the soft timeout it is
    /// cancelled, and its caller gets the stale value then, not at the load's end. (A `getOrLoad` load goes on in
    /// the background: LoaderTimeoutTests.)
    @Test(.timeLimit(.minutes(1)))
    func pastTheSoftTimeoutALeaderWhoseLoaderCannotOutliveTheCallGetsTheStaleValue() async throws {
        let cache = try self.makeCache(LoadPolicy(maximumStaleAge: .seconds(60), softTimeout: .milliseconds(50)))
        try await self.storeStale("page", in: cache)
        let running = LoaderTimeoutTests.RunningLoads()
        let release = Gate()
        let result = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) {
            () async throws -> [UInt8] in
            try await running.run {
                // Hangs until released, or until cancelled.
                try await withTaskCancellationHandler {
                    await release.wait()
                } onCancel: {
                    release.open()
                }
                try Task.checkCancellation()
                return [2]
            }
        }
        #expect(result.value == [1] && result.source == .stale)
        #expect(running.now == 0)
        #expect(self.noFlight(of: "page", in: cache))
    }

    @Test(.timeLimit(.minutes(1)))
    func aLeaderWithinItsTimeoutsIsUnaffected() async throws {
        let cache = try self.makeCache(
            LoadPolicy(maximumStaleAge: .seconds(60), softTimeout: .seconds(30), hardTimeout: .seconds(60)))
        try await self.storeStale("page", in: cache)
        let result = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) { [2] }
        #expect(result.value == [2] && result.source == .loaded)
        let again = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) { [3] }
        #expect(again.value == [2] && again.source == .hit)
    }
}

/// A `readThrough` caller that refreshes a value within its grace period runs the loader in its own call too.
@Suite("Loader timeouts bound a readThrough refresh")
struct RefreshTimeoutTests {
    let clock = ManualCacheClock(start: .seconds(1_000))
    let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })

    @Test(.timeLimit(.minutes(1)))
    func pastTheHardTimeoutTheRefreshingCallerGetsTheValueItHasAndTheRefreshIsCancelled() async throws {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: self.clock))
        let cache = try Cache(
            namespace: "refresh-timeouts", backend: backend,
            configuration: .init(
                loadPolicy: LoadPolicy(gracePeriod: .seconds(30), hardTimeout: .milliseconds(50)),
                freshnessClock: self.clock))
        _ = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) { [1] }
        self.clock.advance(by: .seconds(11))  // within grace: this caller refreshes it
        let running = LoaderTimeoutTests.RunningLoads()
        let result = try await cache.readThrough(key: "page", ttl: .seconds(10), coding: self.bytes) {
            () async throws -> [UInt8] in
            try await running.run {
                try await Task.sleep(for: .seconds(3_600))  // until cancelled
                return [2]
            }
        }
        #expect(result.value == [1] && result.source == .stale)
        #expect(running.now == 0)
    }
}
