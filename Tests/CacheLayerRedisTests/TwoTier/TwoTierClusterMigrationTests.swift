import CacheLayer
import Foundation
import Testing

@testable import CacheLayerRedis

/// The two-tier backend while a slot migrates to a master that serves no slot yet, on a cluster of the test's own
/// (six nodes, plus a seventh master that joins empty, as a scale-out does before `redis-cli --cluster reshard`
/// moves slots to it). Only slot owners get an invalidation connection, so the newcomer has none: what it answers
/// (after `ASK`) must never be stored in memory, where a later write there would not reach it.
@Suite(
    "Two-tier on a cluster: slot migration to a new master", .serialized,
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct TwoTierClusterMigrationTests {
    /// A single read of a migrated key follows `ASK` to the newcomer: it answers, memory stays empty, and the read
    /// right after another client's write there returns the new value.
    @Test func aReadAnsweredByAMasterWithoutInvalidationConnectionIsNotStoredInMemory() async throws {
        let migration = try await Migration.start()
        defer { migration.shutdown() }
        let (backend, writer, key) = (migration.backend, migration.writer, migration.key)

        #expect(try await backend.get(key) == Array("v1".utf8))
        #expect(backend.memory.getWithoutSuspending(key) == .some(nil), "the newcomer's answer is not stored")

        try await writer.set(key, to: Array("v2".utf8), ttl: .seconds(600))
        #expect(try await migration.target.asking(Array("GET".utf8), migration.redisKey) == .bulk(Array("v2".utf8)))
        #expect(try await backend.get(key) == Array("v2".utf8))
    }

    /// A batch read is split by slot: the slot read from its tracked owner fills memory, the slot answered by the
    /// newcomer does not.
    @Test func aBatchReadStoresOnlyWhatTrackedMastersAnswered() async throws {
        let migration = try await Migration.start()
        defer { migration.shutdown() }
        let (backend, writer, key) = (migration.backend, migration.writer, migration.key)
        let steady = CacheKey(namespace: key.namespace, key: "{steady}.k")
        try #require(HashSlot.of(backend.redis.keyLayout.redisKey(steady)) != migration.slot)
        try await migration.settled { try await writer.set(steady, to: Array("s1".utf8), ttl: .seconds(600)) }

        #expect(try await backend.get([key, steady]) == [Array("v1".utf8), Array("s1".utf8)])
        #expect(backend.memory.getWithoutSuspending(key) == .some(nil), "the newcomer's answer is not stored")
        #expect(backend.memory.getWithoutSuspending(steady) == .some(Array("s1".utf8)), "its owner's answer is")

        try await writer.set(key, to: Array("v2".utf8), ttl: .seconds(600))
        #expect(try await backend.get([key, steady]) == [Array("v2".utf8), Array("s1".utf8)])
    }

    /// A cluster, a newcomer joined empty, a two-tier backend armed on the three slot owners, and one key (`v1`)
    /// moved to the newcomer while its slot migrates there.
    struct Migration {
        let cluster: RedisClusterProcess
        let newcomer: RedisServerProcess
        let backend: TwoTierBackend
        let writer: RedisClusterBackend
        let target: ClusterNodeAdmin
        let key: CacheKey
        let redisKey: [UInt8]
        let slot: Int

        static func start() async throws -> Migration {
            let cluster = try await RedisClusterProcess(nodeTimeoutMilliseconds: 5000)
            let newcomer = try RedisServerProcess(
                arguments: [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
                ],
                port: try RedisClusterProcess.freeClusterPort())
            #expect(try newcomer.raw("CLUSTER MEET 127.0.0.1 \(cluster.masters[0].port)").hasPrefix("+OK"))
            try await RedisClusterProcess.waitFor("the seventh node to join") {
                try (cluster.nodes + [newcomer]).allSatisfy { node in
                    try node.raw("CLUSTER NODES").split(separator: "\n").filter { $0.contains("127.0.0.1:") }.count
                        == 7
                }
            }
            // It accepts keys (MIGRATE's target) only once it has learnt the slots: CLUSTERDOWN before.
            try await RedisClusterProcess.waitFor("the seventh node to see the cluster up") {
                try newcomer.raw("CLUSTER INFO").contains("cluster_state:ok")
            }

            var configuration = try RedisClusterBackend.Configuration(urlList: cluster.urls)
            configuration.keyPrefix = "migration-\(UUID().uuidString.prefix(8)):"
            let backend = try TwoTierBackend(
                memory: try MemoryBackend(byteBudget: 1 << 20),
                cluster: try RedisClusterBackend(configuration: configuration))
            let writer = try RedisClusterBackend(configuration: configuration)
            try #require(await waitUntil(within: .seconds(10)) { backend.isTracking })
            #expect(backend.tracking.listeners.count == 3, "one per slot owner; the newcomer owns none")

            let key = CacheKey(namespace: try CacheNamespace("tiers"), key: "{migrating}.k")
            let redisKey = backend.redis.keyLayout.redisKey(key)
            let slot = HashSlot.of(redisKey)
            let target = try ClusterNodeAdmin(port: newcomer.port)
            let migration = Migration(
                cluster: cluster, newcomer: newcomer, backend: backend, writer: writer, target: target, key: key,
                redisKey: redisKey, slot: slot)
            try await migration.settled { try await writer.set(key, to: Array("v1".utf8), ttl: .seconds(600)) }

            // Start migrating the key's slot to the newcomer and move the key (as a reshard does).
            let sourcePort = try #require(try cluster.master(ofSlot: slot, askingPort: cluster.masters[0].port))
            let source = try ClusterNodeAdmin(port: sourcePort)
            let (sourceID, targetID) = (try await source.id, try await target.id)
            #expect(try await target.text("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID) == "OK")
            #expect(try await source.text("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID) == "OK")
            try await migration.settled {
                let migrated = try await source.migrate([redisKey], to: newcomer.port)
                #expect(migrated == .status("OK"))
            }
            return migration
        }

        /// Runs `change` and waits for the invalidation it causes, so that no invalidation is in flight after.
        func settled(_ change: () async throws -> Void) async throws {
            let before = self.backend.sink.keysReceived.load(ordering: .acquiring)
            try await change()
            try #require(
                await waitUntil(within: .seconds(10)) {
                    self.backend.sink.keysReceived.load(ordering: .acquiring) > before
                })
        }

        func shutdown() {
            self.backend.shutdown()
            self.writer.shutdown()
        }
    }
}
