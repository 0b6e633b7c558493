import CacheLayerTestSupport
import CacheLayerTesting
import Testing

@testable import CacheLayer

/// A load under the distributed lock hands its value to the callers waiting for it when the value is stored, before
/// the lock's release (a round trip on Redis, stalled here). Found in review of that change.
@Suite("A load under the lock, while the lock is released")
struct LockReleaseTests {
    /// With a leader's load of "k" held at `release`: a waiter joins it, the release of the lock is stalled, and the
    /// load goes on and stores. Returns what the waiter got, while the release is still stalled.
    static func waiterOfAStoredLoad(
        _ cache: Cache, _ backend: ControllableBackend, _ key: CacheKey, release: Gate, ttl: Duration
    ) async throws -> [UInt8] {
        let waiter = Task { try await cache.getOrLoad(key: "k", ttl: ttl) { [2] as [UInt8] } }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        backend.stall([.delete])  // the lock's owner-checked release
        release.open()
        #expect(await waitUntil { backend.stalledCallCount == 1 }, "stored, and releasing the lock")
        return try await waiter.value
    }

    /// The hard timeout passes during the release: the waiters have the value, so the leader must have it too, not
    /// a timeout for a load that finished and stored within its limit. In the leader's own task (`getOrLoad`) and
    /// in its call (`readThrough`, whose loader cannot escape).
    @Test(arguments: [false, true])
    func aHardTimeoutDuringTheReleaseLeavesTheLeaderItsValue(inline: Bool) async throws {
        let backend = try ControllableBackend()
        let lock = LoadPolicy.Lock(lease: .seconds(60), maximumWait: .seconds(60))
        let policy = LoadPolicy(lock: lock, hardTimeout: .milliseconds(500))
        let cache = try Cache(namespace: "release", backend: backend, configuration: .init(loadPolicy: policy))
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let started = Gate()
        let release = Gate()
        let leader = Task {
            let load = { @Sendable () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]
            }
            if inline {
                let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
                return try await cache.readThrough(key: "k", ttl: .seconds(60), coding: bytes, loader: load).value
            }
            return try await cache.getOrLoad(key: "k", ttl: .seconds(60), loader: load)
        }
        await started.wait()
        #expect(try await Self.waiterOfAStoredLoad(cache, backend, key, release: release, ttl: .seconds(60)) == [1])
        try await Task.sleep(for: .milliseconds(700))  // the hard timeout passes while the release is stalled
        backend.resume()
        #expect(try await leader.value == [1])
    }

    /// A refused store sends the callers that joined after the load began to read the key again and load: that must
    /// wait for the release, or they find the lock held by their own process's leader (here, past their maximum
    /// wait: a lock timeout).
    @Test func aLateJoinerOfARefusedLoadLoadsOnceTheLockIsFree() async throws {
        let backend = try ControllableBackend()
        let lock = LoadPolicy.Lock(lease: .seconds(60), maximumWait: .milliseconds(300), onTimeout: .fail)
        let cache = try Cache(
            namespace: "release", backend: backend, configuration: .init(loadPolicy: LoadPolicy(lock: lock)))
        let other = try Cache(namespace: "release", backend: backend)  // another process
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]
            }
        }
        await started.wait()
        try await other.invalidate(tags: ["orders"])  // the leader's store will be refused
        let joiner = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { [2] as [UInt8] }
        }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        backend.stall([.delete])  // the release
        release.open()
        #expect(await waitUntil { backend.stalledCallCount == 1 })
        try await Task.sleep(for: .milliseconds(600))  // a release slower than the lock's maximum wait
        backend.resume()
        #expect(try await leader.value == [1])
        #expect(try await joiner.value == [2], "the joiner loads once the lock is free")
    }

    /// An inline (`readThrough`) leader's hard timeout fires while its loader, which does not stop when cancelled (as
    /// a Vapor handler), still runs; the loader then returns, and the value is stored and handed to the waiter. The
    /// leader, whose call waited for the loader to stop, gets that value too, not a timeout.
    @Test func anInlineLeaderWhoseTimeoutFiredGetsWhatItsWaitersGet() async throws {
        let backend = try ControllableBackend()
        let lock = LoadPolicy.Lock(lease: .seconds(60), maximumWait: .seconds(60))
        let cache = try Cache(
            namespace: "release", backend: backend, configuration: .init(loadPolicy: LoadPolicy(lock: lock)))
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        let started = Gate()
        let cancelled = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.readThrough(
                key: "k", ttl: .seconds(60), policy: LoadPolicy(lock: lock, hardTimeout: .milliseconds(200)),
                coding: bytes
            ) { () async throws -> [UInt8] in
                await withTaskCancellationHandler {
                    started.open()
                    await release.wait()  // does not stop when cancelled
                } onCancel: {
                    cancelled.open()
                }
                return [1]
            }.value
        }
        await started.wait()
        // A waiter without a timeout of its own (its policy has none).
        let waiter = Task { try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { [2] as [UInt8] } }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        await cancelled.wait()  // the leader's hard timeout fired: its race is waiting for the loader to stop
        release.open()
        let waiterValue = try await waiter.value
        let leaderOutcome = await leader.result
        #expect(waiterValue == [1])
        switch leaderOutcome {
        case .success(let value): #expect(value == waiterValue)
        case .failure(let error): Issue.record("the leader got \(error) while its waiter got \(waiterValue)")
        }
    }

    /// `getOrLoad` (the leader's own task) with a soft timeout and a stale value to fall back on, with and without a
    /// hard timeout: the soft timeout passes during the release, after the value was stored and handed to the
    /// waiter. The leader has the new value too, not the stale one.
    @Test(arguments: [false, true])
    func aSoftTimeoutDuringTheReleaseLeavesTheLeaderItsValue(withHardTimeout: Bool) async throws {
        let clock = ManualCacheClock(start: .seconds(1_000))
        let backend = ControllableBackend(
            memory: try MemoryBackend(configuration: .init(byteBudget: 8 << 20, clock: clock)))
        let lock = LoadPolicy.Lock(lease: .seconds(60), maximumWait: .seconds(60))
        let policy = LoadPolicy(
            lock: lock, maximumStaleAge: .seconds(600), softTimeout: .milliseconds(400),
            hardTimeout: withHardTimeout ? .seconds(60) : nil)
        let cache = try Cache(
            namespace: "release", backend: backend,
            configuration: .init(loadPolicy: policy, freshnessClock: clock))
        let key = CacheKey(namespace: cache.namespace, key: "k")
        _ = try await cache.getOrLoad(key: "k", ttl: .seconds(10)) { [0] as [UInt8] }
        clock.advance(by: .seconds(11))  // expired: kept only for stale if error
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(10)) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]
            }
        }
        await started.wait()
        #expect(try await Self.waiterOfAStoredLoad(cache, backend, key, release: release, ttl: .seconds(10)) == [1])
        try await Task.sleep(for: .milliseconds(700))  // the leader's soft timeout passes while the release is stalled
        backend.resume()
        let leaderValue = try await leader.value
        #expect(leaderValue == [1], "the waiter has the new value: so must the leader")
    }
}
