import CacheLayer
import Testing

@testable import CacheLayerRedis

/// Tags and guarded loads through a two-tier backend on the test command's redis-server: Redis does them, and no
/// memory tier (this process's, or another process's) serves what they removed or a pending load's marker.
@Suite(
    "Two-tier tags", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct TwoTierTagTests {
    /// A second two-tier backend on the same server and key prefix: another process, as far as tracking goes.
    private static func otherProcess(of fixture: TwoTierFixture) throws -> TwoTierBackend {
        try TwoTierBackend(
            memory: MemoryBackend(byteBudget: 1 << 20),
            redis: RedisBackendFixture.backend(prefix: fixture.writer.configuration.keyPrefix))
    }

    @Test func anInvalidationLeavesNoMemoryTierWithTheOldValue() async throws {
        let fixture = try await TwoTierFixture()
        let other = try Self.otherProcess(of: fixture)
        try await fixture.waitUntilTracking()
        #expect(await waitUntil(within: .seconds(10)) { other.isTracking })
        let cache = try Cache(namespace: fixture.namespace.name, backend: fixture.backend)
        let otherCache = try Cache(namespace: fixture.namespace.name, backend: other)
        let key = fixture.key("order:42")

        // Both memory tiers hold the tagged value. A tagged write changes the tag's set and the key, so each
        // reads until the invalidations of both have come back and a read fills memory.
        try await cache.put("order:42", value: "old", ttl: .seconds(60), tags: ["orders"])
        for backend in [fixture.backend, other] {
            let filled = await waitUntil(within: .seconds(10)) {
                backend.memory.getWithoutSuspending(key) ?? nil != nil
            } drive: {
                _ = try? await backend.get(key)
            }
            try #require(filled, "a read did not fill memory within 10 s")
        }
        #expect(try await cache.get("order:42", as: String.self) == "old")
        #expect(try await otherCache.get("order:42", as: String.self) == "old")

        try await cache.invalidate(tags: ["orders"])

        // This process: gone from memory the moment invalidate returns, without waiting for tracking.
        #expect(fixture.inMemory(key) == nil)
        #expect(try await cache.get("order:42", as: String.self) == nil)
        // The other process: its tracking connection reports the deleted key (asynchronously, the staleness
        // window of every change made elsewhere), which evicts it; then it reads a miss.
        let evicted = await waitUntil(within: .seconds(10)) { other.memory.getWithoutSuspending(key) ?? nil == nil }
        #expect(evicted, "the other process kept the invalidated key in memory")
        #expect(try await otherCache.get("order:42", as: String.self) == nil)
        other.shutdown()
    }

    /// With the invalidation connection killed and its reconnection held, no tracking message can arrive: what
    /// memory held (and would answer within the outage limit) must still leave it when invalidate returns.
    @Test func anInvalidationEmptiesThisProcesssMemoryWithoutTracking() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let cache = try Cache(namespace: fixture.namespace.name, backend: fixture.backend)
        let key = fixture.key("order:7")
        try await cache.put("order:7", value: "old", ttl: .seconds(60), tags: ["orders"])
        let filled = await waitUntil(within: .seconds(10)) {
            fixture.inMemory(key) != nil
        } drive: {
            _ = try? await fixture.backend.get(key)
        }
        try #require(filled, "a read did not fill memory within 10 s")

        let gate = try await fixture.deafen()

        try await cache.invalidate(tags: ["orders"])
        #expect(fixture.inMemory(key) == nil)
        gate.open()
    }

    @Test func aRemovalDuringALoadKeepsItsValueOut() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await RedisTagBehaviour.removalWinsOverALoad(fixture.backend, tags: []) { try await $0.remove("k") }
    }

    @Test func anInvalidationDuringALoadKeepsItsValueOut() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await RedisTagBehaviour.removalWinsOverALoad(fixture.backend) { try await $0.invalidate(tags: ["orders"]) }
    }

    /// Another process's removal refuses this process's store, or (for a value not stored) makes `endLoad` say so:
    /// a caller that joined the load after the removal reads again rather than take the value.
    @Test(arguments: [
        ("remove", true), ("invalidate", true), ("remove", false), ("invalidate", false), ("none", false),
    ])
    func aCallerOfALoadAfterAnotherProcesssRemovalReadsAgain(change: String, leaderStores: Bool) async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await RedisTagBehaviour.aCallerOfARefusedLoadReadsAgain(
            fixture.backend, other: Self.otherProcess(of: fixture), change: change, leaderStores: leaderStores)
    }

    @Test func aPendingLoadsMarkerIsNeverServedNorKeptInMemory() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        let key = fixture.key("loading")
        // The marker is written and its invalidation has come back: a read now could fill memory.
        try await fixture.settled {
            _ = try await fixture.backend.beginLoad(of: key, tags: [], ttl: .seconds(60), window: .seconds(10))
        }
        #expect(try await fixture.backend.get(key) == nil)
        #expect(fixture.inMemory(key) == nil)
        #expect(try await fixture.backend.get([key]) == [nil])
    }

    @Test func everyRedisTagBehaviourHolds() async throws {
        let fixture = try await TwoTierFixture()
        try await fixture.waitUntilTracking()
        try await RedisTagBehaviour.invalidationRemovesTaggedEntriesAndNothingElse(fixture.backend)
        try await RedisTagBehaviour.refreshIsGuardedByTheLiveValue(fixture.backend)
    }
}
