import CacheLayer
import Testing

@testable import CacheLayerRedis

/// A master of a cluster of the test's own killed under load (its replica is promoted by the cluster itself), then
/// another shard failed over by hand (`CLUSTER FAILOVER`: its master steps down and answers MOVED).
@Suite(
    "Redis Cluster failover", .serialized,
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct RedisClusterFailoverTests {
    let namespace = try! CacheNamespace("failover")

    @Test func masterKilledUnderLoadFailsOpenThenTheReplicaServes() async throws {
        let cluster = try await RedisClusterProcess(nodeTimeoutMilliseconds: 1000)
        var configuration = try RedisClusterBackend.Configuration(urlList: cluster.urls)
        configuration.commandTimeout = .milliseconds(100)
        configuration.connectTimeout = .milliseconds(100)
        let backend = try RedisClusterBackend(configuration: configuration)
        let cache = try Cache(namespace: self.namespace.name, backend: backend)
        // 256 keys: every master holds some.
        let keyCount = 256
        for index in 0..<keyCount {
            try await cache.putBytes("k\(index)", CacheLoad.value("k\(index)"), ttl: .seconds(120))
        }

        // The victim: the master of k0's slot.
        let probe = CacheKey(namespace: self.namespace, key: "k0")
        let slot = HashSlot.of(backend.keyLayout.redisKey(probe))
        let victimPort = try #require(try cluster.master(ofSlot: slot, askingPort: cluster.masters[0].port))
        let victim = try #require(cluster.masters.first { $0.port == victimPort })
        let survivor = try #require(cluster.masters.first { $0.port != victimPort })

        let stop = CacheLoad.StopFlag()
        let progress = CacheLoad.Progress()
        async let report = CacheLoad.run(
            cache, tasks: 64, keyCount: keyCount, stop: stop, limit: .seconds(40), progress: progress)
        // The load is under way (it has read a value) before the master dies.
        #expect(await waitUntil(within: .seconds(10)) { progress.hits > 0 })
        victim.kill()

        // The cluster notices (node timeout: 1 s) and promotes the replica.
        var promoted: Int?
        try await RedisClusterProcess.waitFor("a replica to take over slot \(slot)") {
            promoted = try cluster.master(ofSlot: slot, askingPort: survivor.port)
            return promoted != nil && promoted != victimPort
        }
        // Then the backend finds the new master by itself: a write and a read of k0 succeed.
        let recovered = await CacheLoad.timeToRecover(backend, probe: probe, since: .now, within: .seconds(10))

        // Still under load: a manual failover of another shard. The replicas were made in the masters' order.
        let shard = try #require(cluster.masters.firstIndex { $0.port != victimPort })
        let taking = cluster.replicas[shard]
        let otherProbe = try #require(
            (0..<keyCount).map { CacheKey(namespace: self.namespace, key: "k\($0)") }.first {
                RedisClusterProcess.slotRanges[shard].contains(HashSlot.of(backend.keyLayout.redisKey($0)))
            })
        let otherSlot = HashSlot.of(backend.keyLayout.redisKey(otherProbe))
        #expect(try taking.raw("CLUSTER FAILOVER").hasPrefix("+OK"))
        try await RedisClusterProcess.waitFor("replica \(taking.port) to take over slot \(otherSlot)") {
            try cluster.master(ofSlot: otherSlot, askingPort: taking.port) == taking.port
        }
        let switched = await CacheLoad.timeToRecover(backend, probe: otherProbe, since: .now, within: .seconds(10))
        // The load goes on past the failover: it reads values again from the new masters.
        let hitsAfterFailover = progress.hits
        #expect(await waitUntil(within: .seconds(10)) { progress.hits > hitsAfterFailover })
        stop.set()
        let result = await report

        #expect(result.wrongValues.isEmpty, "\(result.wrongValues.prefix(5))")
        #expect(
            result.hits > 0 && result.misses > 0,
            "calls succeeded and failed open (\(result.hits) hits, \(result.misses) misses)")
        let recoveryTime = try #require(recovered, "the backend did not reach the promoted master within 10 s")
        // Generous bounds for a loaded 2-core machine; the point is that no restart was needed.
        #expect(recoveryTime < .seconds(3), "recovered \(recoveryTime) after the promotion")
        #expect(result.slowestCall < .milliseconds(100 + 100 + 600), "slowest call: \(result.slowestCall)")
        #expect(backend.topology.node(forSlot: slot)?.address.port == promoted)
        #expect(switched != nil, "the backend did not follow the manual failover within 10 s")
        #expect(backend.topology.node(forSlot: otherSlot)?.address.port == taking.port)
        // After the failover every key reads back its own value or nothing (a write the dead master had not
        // passed on is lost), never another key's.
        let values = try await cache.getBytes((0..<keyCount).map { "k\($0)" })
        for (index, value) in values.enumerated() where value != nil {
            #expect(value == CacheLoad.value("k\(index)"))
        }
    }
}
