import CacheLayerTestSupport
import CacheLayerTesting
import Synchronization
import Testing

@testable import CacheLayer

/// Callers waiting for a load whose store the backend refused (a removal elsewhere, or a guard that lapsed): they
/// take the value only when their call began before the load did, and otherwise read the key again.
@Suite("A load whose store was refused")
struct RefusedStoreTests {
    /// A waiter that is handed `storeRefused` re-reads the key and then leads a new flight. If its deadline passes
    /// during the re-read, `try left()` throws after `flights.join` made it the leader, and the flight is never
    /// landed: every later caller of the key in this process waits for a flight nobody will land (until its own
    /// timeout, or for ever without one), until a write or removal of the key here detaches it.
    @Test func aWaiterWhoseDeadlinePassesDuringItsReReadLeavesNoFlightBehind() async throws {
        let backend = try ControllableBackend()
        let timed = LoadPolicy(hardTimeout: .milliseconds(400))
        let cache = try Cache(namespace: "review", backend: backend, configuration: .init(loadPolicy: timed))
        let other = try Cache(namespace: "review", backend: backend)  // another process
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [1]
            }
        }
        await started.wait()
        let waiter = Task { try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { [2] as [UInt8] } }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        try await other.remove("k")  // cannot detach this cache's flight: the leader's store is refused
        backend.stall([.get])
        release.open()
        #expect(try await leader.value == [1])
        #expect(await waitUntil { backend.stalledCallCount >= 1 }, "the waiter's re-read")
        try await Task.sleep(for: .milliseconds(600))  // the waiter's deadline passes during its re-read
        backend.resume()
        _ = try? await waiter.value

        // A later caller, without a timeout, must load the key rather than wait for an orphaned flight.
        let done = Gate()
        let later = Task {
            defer { done.open() }
            return try await cache.getOrLoad(key: "k", ttl: .seconds(60), policy: LoadPolicy()) { [3] as [UInt8] }
        }
        let limit = ContinuousClock.now + .seconds(2)
        while !done.isOpen && ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(20)) }
        #expect(done.isOpen, "the later caller waits for a flight that no one will land")
        later.cancel()
        _ = try? await later.value
    }

    /// A load slower than `loadWindow` (on Redis: the pending-load marker's TTL) is always refused. Waiters that
    /// joined it re-read (a miss) and one leads a new load, refused as well; the callers of that one began before
    /// it, so they take its value: two loads at most, not one per waiter in series.
    @Test func aLoadSlowerThanItsWindowIsNotRunOncePerWaiterInSeries() async throws {
        var configuration = Cache.Configuration()
        configuration.loadWindow = .milliseconds(20)
        let cache = try Cache(
            namespace: "review", backend: try MemoryBackend(byteBudget: 1 << 20), configuration: configuration)
        let key = CacheKey(namespace: cache.namespace, key: "slow")
        let loads = LoadCounter()
        let load = { @Sendable () async throws -> [UInt8] in
            loads.increment()
            try await Task.sleep(for: .milliseconds(150))
            return [7]
        }
        let leader = Task { try await cache.getOrLoad(key: "slow", ttl: .seconds(60), loader: load) }
        #expect(await waitUntil { loads.count == 1 })
        let waiters = (0..<4).map { _ in
            Task { try await cache.getOrLoad(key: "slow", ttl: .seconds(60), loader: load) }
        }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 4 })
        #expect(try await leader.value == [7])
        for waiter in waiters { #expect(try await waiter.value == [7]) }
        #expect(loads.count <= 2, "loads run: \(loads.count)")
    }

    /// A value that is not stored (the loader asks not to cache it, or it is too large) has no store to be refused.
    /// Before, it went to every waiter, also to one that joined after another process removed or invalidated the
    /// key. Now such a waiter gets it only when the backend says that nothing changed the key since the load began.
    @Test(arguments: [("none", false), ("remove", false), ("invalidate", false), ("none", true), ("remove", true)])
    func aValueNotStoredGoesToALateJoinerOnlyWhenNothingChangedTheKey(change: String, tooLarge: Bool) async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 16)
        let cache = try Cache(namespace: "unstored", backend: backend)
        let other = try Cache(namespace: "unstored", backend: backend)  // another process
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let before: [UInt8] = tooLarge ? Array(repeating: 1, count: 1 << 17) : [1]
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) {
                () async throws -> LoadResult<[UInt8]> in
                started.open()
                await release.wait()
                return LoadResult(before, cachesValue: tooLarge)
            }
        }
        await started.wait()
        let followerLoads = LoadCounter()
        let follower: Task<[UInt8], any Error>
        do {
            defer { release.open() }
            switch change {
            case "remove": try await other.remove("k")
            case "invalidate": try await other.invalidate(tags: ["orders"])
            default: break
            }
            // Its call begins after the change returned: it must not get a value loaded before it.
            follower = Task {
                try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { () async throws -> [UInt8] in
                    followerLoads.increment()
                    return [2]
                }
            }
            #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        }
        #expect(try await leader.value.count == before.count)
        let got = try await follower.value
        if change == "none" {
            #expect(got.count == before.count, "nothing changed the key: the waiter shares the load")
            #expect(followerLoads.count == 0)
        } else {
            #expect(got == [2], "the waiter joined after the \(change): it loads afresh")
            #expect(followerLoads.count == 1)
        }
    }

    /// Another cache's store on the same memory backend ends this load's guard, as on Redis (where the store
    /// replaces the marker both loads share): the caller that joined the load reads again and finds that value.
    @Test func anotherCachesStoreEndsAnUnstoredLoad() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let cache = try Cache(namespace: "unstored", backend: backend)
        let other = try Cache(namespace: "unstored", backend: backend)  // another process
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> LoadResult<String> in
                started.open()
                await release.wait()
                return LoadResult("read before the change", cachesValue: false)
            }
        }
        await started.wait()
        let followerLoads = LoadCounter()
        let follower = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60)) { () async throws -> String in
                followerLoads.increment()
                return "loaded after the change"
            }
        }
        #expect(await waitUntil { (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1 })
        #expect(try await other.getOrLoad(key: "k", ttl: .seconds(60)) { "stored elsewhere" } == "stored elsewhere")
        release.open()
        #expect(try await leader.value == "read before the change")
        #expect(try await follower.value == "stored elsewhere")
        #expect(followerLoads.count == 0)
    }
}
