import CacheLayer
import Testing

@testable import CacheLayerRedis

@Suite(
    "Redis login and database selection",
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh")
)
struct RedisAuthenticationTests {
    let key = CacheKey(namespace: try! CacheNamespace("auth"), key: "k")

    @Test func requirepassWithPassword() async throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "s3cret"])
        let backend = try RedisBackend(url: "redis://:s3cret@127.0.0.1:\(server.port)")
        try await backend.set(self.key, to: [1], ttl: nil)
        #expect(try await backend.get(self.key) == [1])
    }

    @Test func wrongPasswordIsATypedFailure() async throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "s3cret"])
        var configuration = try RedisBackend.Configuration(url: "redis://:wrong@127.0.0.1:\(server.port)")
        configuration.reconnection.failureThreshold = 100
        let backend = try RedisBackend(configuration: configuration)
        let error = await #expect(throws: CacheError.self) { try await backend.get(self.key) }
        #expect(error?.code == .backendError || error?.code == .backendUnavailable)
        let anonymous = try RedisBackend(url: "redis://127.0.0.1:\(server.port)")
        let refused = await #expect(throws: CacheError.self) { try await anonymous.get(self.key) }
        #expect(refused?.responseStatusCode == "NOAUTH")
    }

    @Test func aclUserAndPassword() async throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "admin"])
        let admin = try RedisBackend(url: "redis://:admin@127.0.0.1:\(server.port)")
        _ = try await admin.command("ACL", "SETUSER", "cacheuser", "on", ">userpass", "~*", "+@all")
        let backend = try RedisBackend(url: "redis://cacheuser:userpass@127.0.0.1:\(server.port)")
        try await backend.set(self.key, to: [2], ttl: nil)
        #expect(try await backend.get(self.key) == [2])
        #expect(try await backend.command("ACL", "WHOAMI") == .bulk(Array("cacheuser".utf8)))
    }

    @Test func selectKeepsDatabasesApart() async throws {
        let server = try RedisServerProcess()
        let zero = try RedisBackend(url: "redis://127.0.0.1:\(server.port)/0")
        let five = try RedisBackend(url: "redis://127.0.0.1:\(server.port)/5")
        try await five.set(self.key, to: [5], ttl: nil)
        #expect(try await zero.get(self.key) == nil)
        #expect(try await five.get(self.key) == [5])
        #expect(try server.raw("INFO keyspace").contains("db5:keys=1"))
    }

    @Test func unixSocket() async throws {
        let path = "/tmp/cachelayer-\(try RedisServerProcess.freePort()).sock"
        let server = try RedisServerProcess(arguments: ["--unixsocket", path, "--unixsocketperm", "700"])
        let backend = try RedisBackend(url: "unix://\(path)?db=1")
        try await backend.set(self.key, to: [9], ttl: nil)
        #expect(try await backend.get(self.key) == [9])
        #expect(try server.raw("INFO keyspace").contains("db1:keys=1"))
    }
}
