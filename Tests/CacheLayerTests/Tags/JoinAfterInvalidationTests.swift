import CacheLayerTestSupport
import CacheLayerTesting
import Testing

@testable import CacheLayer

/// A caller that starts after a removal or invalidation of a key returned must not get the value of a load that
/// began before it: that value may have been read before the write the removal followed (the order-items example's
/// stale-read check found such a response: a `MISS` older than the write its client had completed). A removal,
/// flush, invalidation or write detaches the flights in progress, so a later miss loads afresh; and a load whose
/// store was refused (it lost to a removal here or in another process) is not shared with the callers waiting on it.
///
/// Each test holds the leader's loader at a gate, completes the removal, and then requires a new caller to finish
/// with the new value while the leader is still held: a caller that joined the old flight would wait for it. If one
/// does, the test opens the gate after 30 s (so it fails rather than hangs).
@Suite("A caller that starts after a removal does not get a load that began before it")
struct JoinAfterInvalidationTests {
    /// Starts a leader of `key` on `cache` whose loader returns `[1]` (read before the write) once `release` opens,
    /// and returns once the loader runs.
    static func holdLeader(
        _ cache: Cache, release: Gate, cachesValue: Bool = true
    ) async -> Task<[UInt8], any Error> {
        let started = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["orders"]) {
                () async throws -> LoadResult<[UInt8]> in
                started.open()
                await release.wait()
                return LoadResult([1], cachesValue: cachesValue)
            }
        }
        await started.wait()
        return leader
    }

    /// Runs a new caller of the key; it must finish while the leader is held. Returns its value.
    static func newCaller(
        _ cache: Cache, release: Gate, inline: Bool = false
    ) async throws -> [UInt8] {
        let done = Gate()
        let follower = Task {
            defer { done.open() }
            if inline {
                let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
                return try await cache.readThrough(key: "page", ttl: .seconds(60), tags: ["orders"], coding: bytes) {
                    [2]
                }.value
            }
            return try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["orders"]) { [2] as [UInt8] }
        }
        let finished = await waitUntil { done.isOpen }
        #expect(finished, "the new caller waited for the load that began before the removal")
        release.open()
        return try await follower.value
    }

    @Test(arguments: [false, true])
    func aCallerThatStartsAfterTheInvalidationLoadsItself(inline: Bool) async throws {
        let cache = try Cache(namespace: "joins", backend: try MemoryBackend(byteBudget: 1 << 20))
        let release = Gate()
        let leader = await Self.holdLeader(cache, release: release)
        try await cache.invalidate(tags: ["orders"])  // the write's invalidation, completed
        #expect(try await Self.newCaller(cache, release: release, inline: inline) == [2])
        #expect(try await leader.value == [1])
    }

    @Test(arguments: ["remove", "removeAll", "put"])
    func aCallerThatStartsAfterARemovalOrWriteLoadsItself(change: String) async throws {
        let cache = try Cache(namespace: "joins", backend: try MemoryBackend(byteBudget: 1 << 20))
        let release = Gate()
        let leader = await Self.holdLeader(cache, release: release)
        switch change {
        case "remove": try await cache.remove("page")
        case "removeAll": try await cache.removeAll()
        default: try await cache.put("page", value: [3] as [UInt8], ttl: .seconds(60))
        }
        let expected: [UInt8] = change == "put" ? [3] : [2]
        #expect(try await Self.newCaller(cache, release: release) == expected)
        #expect(try await leader.value == [1])
    }

    /// A loader that asks not to cache its value never reaches the guarded store, so nothing refuses it: the
    /// detached flight is what keeps it from a caller that starts after the invalidation.
    @Test func anUncachedValueLoadedBeforeTheInvalidationIsNotSharedWithANewCaller() async throws {
        let cache = try Cache(namespace: "joins", backend: try MemoryBackend(byteBudget: 1 << 20))
        let release = Gate()
        let leader = await Self.holdLeader(cache, release: release, cachesValue: false)
        try await cache.invalidate(tags: ["orders"])
        #expect(try await Self.newCaller(cache, release: release) == [2])
        #expect(try await leader.value == [1])
    }

    /// Two `Cache` instances over one backend stand in for two processes (as in `DistributedLockTests`). The other
    /// instance's removal cannot detach this one's flight, so a caller that starts after it joins the load; the
    /// backend refuses the load's store, and the caller reads the key again instead of taking the load's value.
    @Test(arguments: [false, true])
    func aRemovalInAnotherProcessKeepsAJoinedCallerFromTheLoadsValue(byKey: Bool) async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let cache = try Cache(namespace: "joins", backend: backend)
        let other = try Cache(namespace: "joins", backend: backend)
        let release = Gate()
        let leader = await Self.holdLeader(cache, release: release)
        if byKey {
            try await other.remove("page")
        } else {
            try await other.invalidate(tags: ["orders"])
        }
        let follower = Task {
            try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["orders"]) { [2] as [UInt8] }
        }
        let key = CacheKey(namespace: cache.namespace, key: "page")
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        release.open()
        #expect(try await leader.value == [1])
        #expect(try await follower.value == [2], "the follower started after the removal returned")
    }

    /// With a lock policy the flight lands only after the lock is released. An invalidation between the store and
    /// the release deletes the stored value; a caller that starts after it must not get that value.
    /// The leader stored its value and is releasing the lock (a round trip on Redis) when the key is invalidated, in
    /// this process or in another (another cache on the backend), whose removal cannot detach this process's flight.
    /// The flight landed when the value was stored, so a caller that starts after the invalidation does not join it.
    @Test(arguments: [false, true])
    func aValueRemovedWhileItsLockIsReleasedIsNotSharedWithANewCaller(elsewhere: Bool) async throws {
        let backend = try ControllableBackend()
        let lock = LoadPolicy.Lock(lease: .seconds(60), maximumWait: .seconds(60), onTimeout: .fail)
        let cache = try Cache(
            namespace: "joins", backend: backend, configuration: .init(loadPolicy: LoadPolicy(lock: lock)))
        let other = try Cache(namespace: "joins", backend: backend)
        let release = Gate()
        let leader = await Self.holdLeader(cache, release: release)
        backend.stall([.delete])  // the lock's owner-checked release
        release.open()
        #expect(await waitUntil { backend.stalledCallCount == 1 })
        #expect(try await cache.get("page", as: [UInt8].self) == [1], "stored before the lock release")
        let key = CacheKey(namespace: cache.namespace, key: "page")
        #expect(cache.core.flights.flight(for: key) == nil, "the flight landed when the value was stored")
        try await (elsewhere ? other : cache).invalidate(tags: ["orders"])
        #expect(try await cache.get("page", as: [UInt8].self) == nil)
        let follower = Task {
            try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["orders"]) { [2] as [UInt8] }
        }
        // The new caller leads a flight of its own, and waits for the lock: the leader's release goes on then.
        #expect(await waitUntil { cache.core.flights.flight(for: key) != nil })
        backend.resume()
        #expect(try await leader.value == [1])
        #expect(try await follower.value == [2], "the follower started after the invalidation returned")
    }
}
