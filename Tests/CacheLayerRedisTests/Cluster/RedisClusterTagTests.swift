import CacheLayer
import Foundation
import Testing

@testable import CacheLayerRedis

/// Tags and guarded loads on the test cluster: the same behaviour as on one server, with tags spread over masters.
@Suite(
    "Tags on the Redis Cluster",
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct RedisClusterTagTests {
    @Test func invalidationRemovesTaggedEntriesAndNothingElse() async throws {
        try await RedisTagBehaviour.invalidationRemovesTaggedEntriesAndNothingElse(RedisClusterTestServer.backend())
    }

    @Test func aRemovalDuringALoadKeepsItsValueOut() async throws {
        try await RedisTagBehaviour.removalWinsOverALoad(RedisClusterTestServer.backend()) {
            try await $0.remove("k")
        }
    }

    @Test func anInvalidationDuringALoadKeepsItsValueOut() async throws {
        try await RedisTagBehaviour.removalWinsOverALoad(RedisClusterTestServer.backend()) {
            try await $0.invalidate(tags: ["orders"])
        }
    }

    @Test func aFlushDuringALoadKeepsItsValueOut() async throws {
        try await RedisTagBehaviour.removalWinsOverALoad(RedisClusterTestServer.backend(), tags: []) {
            try await $0.removeAll()
        }
    }

    @Test func aRefreshIsGuardedByTheValueItReplaces() async throws {
        try await RedisTagBehaviour.refreshIsGuardedByTheLiveValue(RedisClusterTestServer.backend())
    }

    /// A caller that joined a load after another client's change reads again, whether the load's value was refused
    /// by the store or not stored at all.
    @Test(arguments: ["remove", "invalidate", "load", "none"], [true, false])
    func aCallerOfALoadAfterAnotherClientsChangeReadsAgain(change: String, leaderStores: Bool) async throws {
        var configuration = try RedisClusterTestServer.configuration()
        configuration.keyPrefix = "join-\(UUID().uuidString.prefix(6)):"
        try await RedisTagBehaviour.aCallerOfARefusedLoadReadsAgain(
            RedisClusterBackend(configuration: configuration), other: RedisClusterBackend(configuration: configuration),
            change: change, leaderStores: leaderStores)
    }

    @Test func tagsAreSpreadOverTheMastersByName() async throws {
        let backend = try RedisClusterTestServer.backend()
        let namespace = try CacheNamespace("spread")
        let masters = try await backend.topology.masters()
        var served = Set<ObjectIdentifier>()
        for index in 0..<64 {
            let tag = try CacheTag(namespace: namespace, name: "store:\(index)")
            let slot = HashSlot.of(backend.keyLayout.tagKey(tag))
            #expect(slot == HashSlot.of(backend.keyLayout.invalidatingTagKey(tag)))
            if let node = backend.topology.node(forSlot: slot) { served.insert(ObjectIdentifier(node)) }
        }
        #expect(served.count == masters.count)
    }
}
