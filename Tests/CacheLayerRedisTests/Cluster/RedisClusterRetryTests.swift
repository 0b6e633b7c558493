import CacheLayer
import Synchronization
import Testing

@testable import CacheLayerRedis

/// A command whose connection fails after it was written may have run. Sent again to a new master after a
/// failover, a SET NX (a lock's acquisition) would find its own value and answer "not written": the caller would
/// then wait on the lock it holds. Such a command must fail instead.
@Suite(
    "Redis Cluster retries", .serialized,
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct RedisClusterRetryTests {
    @Test func setIfAbsentWhoseReplyWasLostIsNotSentAgainToTheNewMaster() async throws {
        let cluster = try await RedisClusterProcess(nodeTimeoutMilliseconds: 1000)
        let gate = HookGate()
        var configuration = try RedisClusterBackend.Configuration(urlList: cluster.urls)
        configuration.commandTimeout = .milliseconds(200)
        configuration.connectTimeout = .milliseconds(200)
        // Hold the thread that wrote the SET NX before it reads the reply, then lose the connection there: the
        // command ran, its reply never arrives.
        configuration.testHooks = ConnectionTestHooks { point in
            guard case .flushed(let commands) = point.event,
                commands.contains(where: { $0.name == "SET" && $0.arguments.contains(Array("NX".utf8)) })
            else { return .proceed }
            return gate.pass()
        }
        let backend = try RedisClusterBackend(configuration: configuration)
        defer { backend.shutdown() }
        let key = CacheKey(namespace: try CacheNamespace("retries"), key: "lock")
        let redisKey = backend.keyLayout.redisKey(key)
        let slot = HashSlot.of(redisKey)
        // Learn the topology first.
        #expect(try await backend.get(key) == nil)
        let shard = try #require(RedisClusterProcess.slotRanges.firstIndex { $0.contains(slot) })
        let (oldMaster, newMaster) = (cluster.masters[shard], cluster.replicas[shard])

        let token = Array("token-of-this-caller".utf8)
        let call = CallProbe { () throws(CacheError) in try await backend.setIfAbsent(key, to: token, ttl: .seconds(60))
        }
        #expect(await gate.waitForArrival(), "the SET NX was never written")
        let keyText = String(decoding: redisKey, as: UTF8.self)
        #expect(
            await waitUntil(within: .seconds(5)) { (try? oldMaster.raw("EXISTS \(keyText)")) == ":1\r\n" },
            "the SET NX did not run")

        // A coordinated failover: the replica catches up (it has the lock now), then takes the slot over. A
        // concurrent call that met MOVED would have pointed the backend at the new master: do that by hand.
        #expect(try newMaster.raw("CLUSTER FAILOVER").hasPrefix("+OK"))
        try await RedisClusterProcess.waitFor("the replica to take over slot \(slot)") {
            try cluster.master(ofSlot: slot, askingPort: newMaster.port) == newMaster.port
        }
        _ = try backend.topology.moved(slot: slot, to: ClusterNodeAddress(host: "127.0.0.1", port: newMaster.port))

        gate.open(.loseConnection)
        let outcome = await call.result(within: configuration.commandTimeout + .seconds(1))
        let (result, _) = try #require(outcome, "the SET NX never came back")
        switch result {
        case .success(let written):
            // Only a SET NX sent again could answer false: the lock is this caller's.
            #expect(written, "the caller was told the lock is held by someone else, while it holds it")
        case .failure(let error):
            #expect(error.code == .backendUnavailable)
            #expect(error.message.contains("may have run"), "\(error.message)")
        }
        #expect(try newMaster.raw("GET \(keyText)").contains("token-of-this-caller"))
    }
}
