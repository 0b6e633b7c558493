import CacheLayerTestSupport
import CacheLayerTesting
import Testing

@testable import CacheLayer

/// A load under the distributed lock hands its value to the callers waiting for it when the value is stored, before
/// the lock's release (a round trip on Redis, stalled here). Found in review of that change.
@Suite("A load under the lock, while the lock is released")
struct LockReleaseTests {
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
        let waiter = Task { try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { [2] as [UInt8] } }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        backend.stall([.delete])  // the lock's owner-checked release
        release.open()
        #expect(await waitUntil { backend.stalledCallCount == 1 }, "stored, and releasing the lock")
        #expect(try await waiter.value == [1])
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
}
