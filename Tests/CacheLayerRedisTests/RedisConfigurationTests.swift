import CacheLayer
import Testing

@testable import CacheLayerRedis

@Suite("Redis configuration from URLs")
struct RedisConfigurationTests {
    @Test func fullTCPURL() throws {
        let configuration = try RedisBackend.Configuration(url: "redis://cache:s%40cret@10.0.0.5:6380/3")
        #expect(configuration.endpoint == .tcp(host: "10.0.0.5", port: 6380))
        #expect(configuration.username == "cache")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 3)
    }

    @Test func defaultsAndPasswordOnly() throws {
        let plain = try RedisBackend.Configuration(url: "redis://localhost")
        #expect(plain.endpoint == .tcp(host: "localhost", port: 6379))
        #expect(plain.username == nil && plain.password == nil && plain.database == 0)
        let passwordOnly = try RedisBackend.Configuration(url: "redis://:pw@127.0.0.1:7000")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw")
        let ipv6 = try RedisBackend.Configuration(url: "redis://[::1]:6390/1")
        #expect(ipv6.endpoint == .tcp(host: "::1", port: 6390))
    }

    @Test func unixSockets() throws {
        let url = try RedisBackend.Configuration(url: "unix:///var/run/redis.sock?db=2")
        #expect(url.endpoint == .unixSocket(path: "/var/run/redis.sock"))
        #expect(url.database == 2)
        let bare = try RedisBackend.Configuration(url: "/tmp/redis.sock")
        #expect(bare.endpoint == .unixSocket(path: "/tmp/redis.sock"))
    }

    @Test(arguments: [
        ("127.0.0.1:6379", "scheme"),
        ("http://127.0.0.1", "scheme"),
        ("rediss://127.0.0.1", "scheme"),
        ("redis://127.0.0.1:notaport", "port"),
        ("redis://127.0.0.1:70000", "port"),
        ("redis://127.0.0.1:6379/x", "database"),
        ("redis://127.0.0.1:6379/-1", "database"),
        ("redis://:6379", "host"),
        ("redis://[::1", "host"),
        ("redis://user@127.0.0.1", "user info"),
        ("redis://a:%zz@127.0.0.1", "user info"),
        ("unix://relative/path", "socket path"),
        ("unix:///tmp/r.sock?foo=1", "query"),
    ])
    func badURLsNameTheBadPart(_ url: String, _ part: String) {
        let error = #expect(throws: CacheError.self) { try RedisBackend.Configuration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("the \(part)") == true, "\(error?.message ?? "")")
    }

    @Test func passwordsAreNotEchoedInErrors() {
        let error = #expect(throws: CacheError.self) { try RedisBackend.Configuration(url: "redis://u:topsecret@h:99999") }
        #expect(error?.message.contains("topsecret") == false)
    }

    @Test func badSettingsInCodeAreRefused() {
        var configuration = RedisBackend.Configuration()
        configuration.connectionCount = 0
        #expect(throws: CacheError.self) { try RedisBackend(configuration: configuration) }
        configuration = RedisBackend.Configuration(commandTimeout: .zero)
        #expect(throws: CacheError.self) { try RedisBackend(configuration: configuration) }
        configuration = RedisBackend.Configuration(username: "alice")
        #expect(throws: CacheError.self) { try RedisBackend(configuration: configuration) }
    }
}
