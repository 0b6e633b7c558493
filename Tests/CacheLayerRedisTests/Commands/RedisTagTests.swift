@testable import CacheLayer
import CacheLayerTestSupport
import Foundation
import Synchronization
import Testing

@testable import CacheLayerRedis

/// What every Redis backend must do with tags and guarded loads, run on one redis-server and on the test cluster.
enum RedisTagBehaviour {
    static func invalidationRemovesTaggedEntriesAndNothingElse(_ backend: any CacheBackend) async throws {
        let cache = try Cache(namespace: "tags-\(UUID().uuidString.prefix(6))", backend: backend)
        // Keys over many slots, tags over many slots.
        for index in 0..<40 {
            try await cache.put("k\(index)", value: index, ttl: .seconds(60), tags: ["t\(index % 4)", "all"])
        }
        try await cache.put("untagged", value: -1, ttl: .seconds(60))
        try await cache.invalidate(tags: ["t1"])
        for index in 0..<40 {
            let found = try await cache.get("k\(index)", as: Int.self)
            #expect(found == (index % 4 == 1 ? nil : index), "k\(index)")
        }
        try await cache.invalidate(tags: ["all"])
        for index in 0..<40 {
            #expect(try await cache.get("k\(index)", as: Int.self) == nil)
        }
        #expect(try await cache.get("untagged", as: Int.self) == -1)
    }

    /// A getOrLoad whose loader waits while `removal` runs; the load's value must not be stored.
    static func removalWinsOverALoad(
        _ backend: any CacheBackend, tags: [String] = ["orders"], _ removal: (Cache) async throws -> Void
    ) async throws {
        let cache = try Cache(namespace: "race-\(UUID().uuidString.prefix(6))", backend: backend)
        let reader = try Cache(namespace: cache.namespace.name, backend: backend)
        let started = Gate()
        let release = Gate()
        let load = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: tags) { () async throws -> String in
                started.open()
                await release.wait()
                return "stale"
            }
        }
        await started.wait()
        // Whatever throws below, the loader is let go, so that a failure ends the test instead of hanging it.
        do {
            defer { release.open() }
            // While the load runs, its key holds a pending-load marker: a miss for every reader.
            #expect(try await reader.get("k", as: String.self) == nil)
            try await removal(cache)
        }
        #expect(try await load.value == "stale")
        #expect(try await reader.get("k", as: String.self) == nil)
        // And with nothing in the way, the next load stores.
        _ = try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: tags) { "fresh" }
        #expect(try await reader.get("k", as: String.self) == "fresh")
    }

    /// Two clients of one server (same key prefix) stand in for two processes. A load of `k` is held in flight on
    /// `backend`; `change` runs on `other` (`remove`, `invalidate`, or `load`: the other process loads the key too
    /// and stores first); a caller joins the held load, after the change returned for a removal and before it for
    /// a load. Redis refuses the held load's store, so the joined caller reads the key again: it loads afresh after
    /// a removal, and finds the other process's value after its load, without loading.
    static func aCallerOfARefusedLoadReadsAgain(
        _ backend: any CacheBackend, other: any CacheBackend, change: String, leaderStores: Bool = true
    ) async throws {
        let namespace = "join-\(UUID().uuidString.prefix(6))"
        let cache = try Cache(namespace: namespace, backend: backend)
        let elsewhere = try Cache(namespace: namespace, backend: other)
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) {
                () async throws -> LoadResult<String> in
                started.open()
                await release.wait()
                return LoadResult("read before the change", cachesValue: leaderStores)
            }
        }
        await started.wait()
        let followerLoads = LoadCounter()
        func follow() async throws -> Task<String, any Error> {
            let follower = Task {
                try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { () async throws -> String in
                    followerLoads.increment()
                    return "loaded after the change"
                }
            }
            var joined = false
            for _ in 0..<3_000 where !joined {
                joined = (cache.core.flights.flight(for: key)?.waitersJoined ?? 0) >= 1
                if !joined { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(joined, "the follower joined the load in flight")
            return follower
        }
        let follower: Task<String, any Error>
        do {
            // Whatever throws, the loader is let go, so that a failure ends the test instead of hanging it.
            defer { release.open() }
            switch change {
            case "remove":
                try await elsewhere.remove("k")
                follower = try await follow()
            case "invalidate":
                try await elsewhere.invalidate(tags: ["orders"])
                follower = try await follow()
            case "none":
                follower = try await follow()
            default:
                follower = try await follow()
                // It shares the held load's pending marker, and stores first.
                _ = try await elsewhere.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { "stored elsewhere" }
            }
        }
        #expect(try await leader.value == "read before the change")
        let expected =
            switch change {
            case "load": "stored elsewhere"
            case "none": "read before the change"
            default: "loaded after the change"
            }
        let got = try await follower.value
        #expect(got == expected)
        #expect(followerLoads.count == (change == "load" || change == "none" ? 0 : 1))
        let stored = change == "none" && !leaderStores ? nil : expected
        #expect(try await elsewhere.get("k", as: String.self) == stored)
    }

    /// A refresh (the key holds a live value) stores when nothing happened, and not after a removal.
    static func refreshIsGuardedByTheLiveValue(_ backend: any CacheBackend) async throws {
        let cache = try Cache(namespace: "refresh-\(UUID().uuidString.prefix(6))", backend: backend)
        let key = CacheKey(namespace: cache.namespace, key: "k")
        let first = try await backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(10))
        #expect(try await backend.finishLoad(of: key, storing: [1], ttl: .seconds(60), token: first))
        let refresh = try await backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(10))
        #expect(try await backend.finishLoad(of: key, storing: [2], ttl: .seconds(60), token: refresh))
        #expect(try await backend.get(key) == [2])
        let removed = try await backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(10))
        _ = try await backend.delete(key)
        #expect(try await !backend.finishLoad(of: key, storing: [3], ttl: .seconds(60), token: removed))
        #expect(try await backend.get(key) == nil)
        // Two loads of one key share the marker; the first to store wins, the second is refused.
        let a = try await backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(10))
        let b = try await backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(10))
        #expect(a == b)
        #expect(try await backend.finishLoad(of: key, storing: [4], ttl: .seconds(60), token: a))
        #expect(try await !backend.finishLoad(of: key, storing: [5], ttl: .seconds(60), token: b))
        #expect(try await backend.get(key) == [4])
    }
}

@Suite(
    "Tags on one Redis server",
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh")
)
struct RedisTagTests {
    @Test func scriptHashesMatchTheServer() async throws {
        let backend = try RedisBackendFixture.backend()
        for script in [
            TaggingScripts.beginLoad, TaggingScripts.finishLoad, TaggingScripts.endLoad, TaggingScripts.addMember,
            TaggingScripts.takeMembers,
        ] {
            #expect(try await backend.command("SCRIPT", "LOAD", script.source) == .bulk(Array(script.sha1.utf8)))
        }
    }

    @Test func invalidationRemovesTaggedEntriesAndNothingElse() async throws {
        try await RedisTagBehaviour.invalidationRemovesTaggedEntriesAndNothingElse(RedisBackendFixture.backend())
    }

    @Test func aRemovalDuringALoadKeepsItsValueOut() async throws {
        try await RedisTagBehaviour.removalWinsOverALoad(RedisBackendFixture.backend()) { try await $0.remove("k") }
    }

    @Test func anInvalidationDuringALoadKeepsItsValueOut() async throws {
        try await RedisTagBehaviour.removalWinsOverALoad(RedisBackendFixture.backend()) {
            try await $0.invalidate(tags: ["orders"])
        }
    }

    @Test func aFlushDuringALoadKeepsItsValueOut() async throws {
        try await RedisTagBehaviour.removalWinsOverALoad(RedisBackendFixture.backend(), tags: []) {
            try await $0.removeAll()
        }
    }

    @Test func aRefreshIsGuardedByTheValueItReplaces() async throws {
        try await RedisTagBehaviour.refreshIsGuardedByTheLiveValue(RedisBackendFixture.backend())
    }

    /// A caller that joined a load after another client's change reads again, whether the load's value was refused
    /// by the store or not stored at all (then ``CacheBackend/endLoad(of:token:)`` says whether the key changed).
    @Test(arguments: ["remove", "invalidate", "load", "none"], [true, false])
    func aCallerOfALoadAfterAnotherClientsChangeReadsAgain(change: String, leaderStores: Bool) async throws {
        let prefix = "join-\(UUID().uuidString.prefix(6)):"
        try await RedisTagBehaviour.aCallerOfARefusedLoadReadsAgain(
            RedisBackendFixture.backend(prefix: prefix), other: RedisBackendFixture.backend(prefix: prefix),
            change: change, leaderStores: leaderStores)
    }

    @Test func aTagSetLivesAsLongAsItsLongestMember() async throws {
        let backend = try RedisBackendFixture.backend()
        let namespace = try CacheNamespace("ttl")
        let tag = try CacheTag(namespace: namespace, name: "t{1}%")
        let tagKey = String(decoding: backend.keyLayout.tagKey(tag), as: UTF8.self)
        try await backend.set(CacheKey(namespace: namespace, key: "short"), to: [1], ttl: .seconds(10), tags: [tag])
        guard case .integer(let short) = try await backend.command("PTTL", tagKey) else { throw CancellationError() }
        #expect(short > 0 && short <= 10_000)
        try await backend.set(CacheKey(namespace: namespace, key: "long"), to: [1], ttl: .seconds(100), tags: [tag])
        guard case .integer(let long) = try await backend.command("PTTL", tagKey) else { throw CancellationError() }
        #expect(long > 10_000 && long <= 100_000)
        try await backend.set(CacheKey(namespace: namespace, key: "short2"), to: [1], ttl: .seconds(5), tags: [tag])
        guard case .integer(let kept) = try await backend.command("PTTL", tagKey) else { throw CancellationError() }
        #expect(kept > 10_000)
        try await backend.set(CacheKey(namespace: namespace, key: "forever"), to: [1], ttl: nil, tags: [tag])
        #expect(try await backend.command("PTTL", tagKey) == .integer(-1))
    }

    /// The connection drops after the script that takes a tag's members ran and before its reply arrived: the members
    /// wait in the tag's invalidating set, still readable, and the next invalidation (the cache's replay, before its
    /// next read) removes them.
    @Test func anInvalidationThatFailsHalfWayIsFinishedByTheNext() async throws {
        let lose = Mutex(true)
        let takeMembers = Array(TaggingScripts.takeMembers.sha1.utf8)
        var configuration = try RedisBackendFixture.configuration()
        configuration.testHooks = ConnectionTestHooks { point in
            guard case .flushed(let commands) = point.event,
                commands.contains(where: { $0.arguments.count > 1 && $0.arguments[1] == takeMembers })
            else { return .proceed }
            return lose.withLock { first in
                defer { first = false }
                return first ? .loseConnection : .proceed
            }
        }
        let backend = try RedisBackend(configuration: configuration)
        // Cached on the server, so the EVALSHA that is lost did run.
        _ = try await backend.command("SCRIPT", "LOAD", TaggingScripts.takeMembers.source)
        let cache = try Cache(namespace: "halfway", backend: backend)
        let key = CacheKey(namespace: cache.namespace, key: "k")
        try await cache.put("k", value: "old", ttl: .seconds(60), tags: ["orders"])

        try await cache.invalidate(tags: ["orders"])  // fails open, kept for replay

        #expect(cache.core.failedInvalidations.isPending)
        // The caller can hear of the lost connection before the connection marks itself as reconnecting: wait, boundedly,
        // until it answers again rather than until no connection says it refuses.
        var answered = false
        for _ in 0..<1_000 where !answered {
            answered = (try? await backend.command("PING")) != nil
            if !answered { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(answered)
        // The tag's set is empty now; its members wait in the invalidating set, the value is still there.
        #expect(try await backend.get(key) != nil)
        // The next read replays the invalidation first, then misses.
        #expect(try await cache.get("k", as: String.self) == nil)
        #expect(!cache.core.failedInvalidations.isPending)
        #expect(try await backend.get(key) == nil)
    }
}
