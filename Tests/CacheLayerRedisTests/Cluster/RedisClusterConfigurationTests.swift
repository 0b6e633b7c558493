import CacheLayer
import Testing

@testable import CacheLayerRedis

@Suite("Redis Cluster configuration")
struct RedisClusterConfigurationTests {
    @Test func readsAListOfURLs() throws {
        let configuration = try RedisClusterBackend.Configuration(
            urlList: "redis://:s3cret@10.0.0.1:7000, redis://:s3cret@10.0.0.2,redis://:s3cret@[::1]:7002")
        #expect(
            configuration.seeds == [
                .init(host: "10.0.0.1", port: 7000), .init(host: "10.0.0.2", port: 6379),
                .init(host: "::1", port: 7002),
            ])
        #expect(configuration.password == "s3cret")
        #expect(configuration.username == nil)
    }

    @Test(arguments: [
        ("", "empty"),
        ("redis://127.0.0.1:7000/1", "database is 1"),
        ("unix:///tmp/redis.sock", "unix socket"),
        ("redis://a:x@127.0.0.1:7000,redis://a:y@127.0.0.1:7001", "differs from the first"),
        ("http://127.0.0.1:7000", "scheme"),
    ])
    func refusesBadURLLists(list: String, problem: String) {
        let error = #expect(throws: CacheError.self) { try RedisClusterBackend.Configuration(urlList: list) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("y@") != true, "passwords are redacted")
    }

    @Test func refusesAKeyPrefixWithBraces() throws {
        var configuration = RedisClusterBackend.Configuration(seeds: [.init(host: "127.0.0.1", port: 7000)])
        configuration.keyPrefix = "app{1}:"
        let error = #expect(throws: CacheError.self) { try RedisClusterBackend(configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("hash tag") == true)
    }

    @Test func refusesOutOfRangeSettings() {
        var configuration = RedisClusterBackend.Configuration(seeds: [.init(host: "127.0.0.1", port: 7000)])
        configuration.connectionsPerNode = 0
        #expect(throws: CacheError.self) { try RedisClusterBackend(configuration: configuration) }
        configuration.connectionsPerNode = 2
        configuration.commandTimeout = .zero
        #expect(throws: CacheError.self) { try RedisClusterBackend(configuration: configuration) }
        configuration.commandTimeout = .milliseconds(10)
        configuration.seeds = []
        #expect(throws: CacheError.self) { try RedisClusterBackend(configuration: configuration) }
    }
}
