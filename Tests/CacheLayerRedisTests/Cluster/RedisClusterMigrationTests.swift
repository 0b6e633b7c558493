import CacheLayer
import MetricsTestKit
import Testing

@testable import CacheLayerRedis

/// A slot migrated between two masters of the test command's cluster, the way `redis-cli --cluster reshard`
/// does it: SETSLOT IMPORTING/MIGRATING, MIGRATE of some keys (ASK redirections), then SETSLOT NODE (MOVED).
@Suite(
    "Redis Cluster slot migration", .serialized,
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct RedisClusterMigrationTests {
    let namespace = try! CacheNamespace("migration")

    @Test func askDuringTheMigrationThenMovedAfterIt() async throws {
        let metrics = TestMetrics()
        let backend = try RedisClusterBackend(configuration: RedisClusterTestServer.configuration(nodeMetrics: metrics))
        // Twenty keys in one slot, thanks to a tag of this test's own.
        let tag = "{mig-\(UInt32.random(in: 0...UInt32.max))}"
        let names = (0..<20).map { "\(tag).\($0)" }
        let keys = names.map { CacheKey(namespace: self.namespace, key: $0) }
        let redisKeys = keys.map(backend.keyLayout.redisKey)
        let slot = HashSlot.of(redisKeys[0])
        for (key, name) in zip(keys, names) {
            try await backend.set(key, to: CacheLoad.value(name), ttl: .seconds(120))
        }

        let seed = try ClusterNodeAdmin(port: try #require(RedisClusterTestServer.ports.first))
        let masters = try await seed.slots().masters
        let sourceAddress = try #require(try await seed.slots().ranges.first { $0.slots.contains(slot) }?.master)
        let targetAddress = try #require(masters.first { $0 != sourceAddress })
        let source = try ClusterNodeAdmin(port: sourceAddress.port)
        let target = try ClusterNodeAdmin(port: targetAddress.port)
        let (sourceID, targetID) = (try await source.id, try await target.id)
        func redirected(_ node: ClusterNodeAddress) throws -> Int64 {
            try metrics.expectCounter(
                "cache.redis.node.requests", [("node", node.description), ("result", "redirected")]
            ).totalValue
        }

        // The source migrates while the target does not import yet: a missing key bounces between them (ASK to
        // the target, MOVED back) until the bound, then fails with a typed error.
        #expect(try await source.text("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID) == "OK")
        let bounced = await #expect(throws: CacheError.self) {
            try await backend.get(CacheKey(namespace: self.namespace, key: "\(tag).missing"))
        }
        #expect(bounced?.code == .backendError)
        #expect(bounced?.message.contains("redirections") == true, "\(bounced?.message ?? "")")
        #expect(bounced?.responseStatusCode == "MOVED" || bounced?.responseStatusCode == "ASK")

        // Now a proper migration: half the keys move.
        #expect(try await target.text("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID) == "OK")
        let migrated = try await source.migrate(Array(redisKeys.prefix(10)), to: targetAddress.port)
        #expect(migrated == .status("OK"))
        let asksBefore = try redirected(sourceAddress)

        // Every key reads back, moved or not; a new key of the slot lands on the target.
        for (key, name) in zip(keys, names) {
            #expect(try await backend.get(key) == CacheLoad.value(name), "\(name)")
        }
        #expect(try redirected(sourceAddress) - asksBefore == 10, "one ASK per migrated key")
        let newcomer = CacheKey(namespace: self.namespace, key: "\(tag).new")
        try await backend.set(newcomer, to: [7], ttl: .seconds(120))
        #expect(
            try await target.asking(Array("EXISTS".utf8), backend.keyLayout.redisKey(newcomer)) == .integer(1),
            "stored on the importing target")
        #expect(try await backend.get(newcomer) == [7])

        // Finish: the rest moves and every master learns the new owner.
        #expect(try await source.migrate(Array(redisKeys.suffix(10)), to: targetAddress.port) == .status("OK"))
        // The target first, then the source, then the others (the order redis-cli uses).
        for master in [targetAddress, sourceAddress] + masters.filter({ $0 != targetAddress && $0 != sourceAddress }) {
            #expect(
                try await ClusterNodeAdmin(port: master.port).text("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID)
                    == "OK")
        }
        // MOVED sends the calls to the target and updates the slot map: the next calls go there directly. (A
        // refresh that asked a node before it learnt the change may still install the old owner once; passes
        // repeat until one sees no redirection.)
        var settled = try redirected(sourceAddress)
        for _ in 0..<40 {
            for (key, name) in zip(keys, names) {
                #expect(try await backend.get(key) == CacheLoad.value(name), "\(name)")
            }
            let now = try redirected(sourceAddress)
            if now == settled { break }
            settled = now
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(backend.topology.node(forSlot: slot)?.address == targetAddress)
        let values = try await backend.get(keys)
        #expect(values == names.map(CacheLoad.value))
        for key in keys {
            _ = try await backend.get(key)
        }
        #expect(try redirected(sourceAddress) == settled, "no redirection once the map is updated")
    }
}
