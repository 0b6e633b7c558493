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
        ("redis://127.0.0.1:6379?foo=1", "query"),
        ("redis://127.0.0.1:6379?db=x", "database"),
        ("redis://127.0.0.1:6379?db=-1", "database"),
        ("redis://127.0.0.1:6379/1?db=2", "database"),
        ("redis://127.0.0.1:6379/99999999999999999999999", "database"),
        ("redis://127.0.0.1:6379/2147483647", "database"),
        ("redis://127.0.0.1:6379/1/2", "database"),
        ("redis://127.0.0.1:+6379", "port"),
        ("redis://127.0.0.1:0", "port"),
        ("redis://127.0.0.1:", "port"),
        ("redis://127.0.0.1:99999999999999999999999", "port"),
        ("redis://127.0.0.1:6379#top", "fragment"),
        ("unix:///tmp/r.sock?db=99999999999999999999", "database"),
    ])
    func badURLsNameTheBadPart(_ url: String, _ part: String) {
        let error = #expect(throws: CacheError.self) { try RedisBackend.Configuration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("the \(part)") == true, "\(error?.message ?? "")")
    }

    /// A combining mark right after the ':' joins it into one `Character`: the password used to be shown in the
    /// error (found by FuzzRedisURL). Anything outside printable ASCII is refused before parsing, naming no part.
    @Test(arguments: [
        "redis://user:\u{0365}s3cret@127.0.0.1", "redis://us\u{0301}er:s3cret@127.0.0.1", "redis://h\u{00E9}st:6379",
    ])
    func urlsOutsidePrintableASCIIAreRefusedWithoutEchoingThem(_ url: String) {
        let error = #expect(throws: CacheError.self) { try RedisBackend.Configuration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("s3cret") == false, "\(error?.message ?? "")")
        #expect(error?.message.contains("printable ASCII") == true, "\(error?.message ?? "")")
    }

    /// The database may be in the query as well as in the path; a query no longer reads as part of the port.
    @Test func databaseInTheQuery() throws {
        let query = try RedisBackend.Configuration(url: "redis://127.0.0.1:6391?db=1")
        #expect(query.endpoint == .tcp(host: "127.0.0.1", port: 6391))
        #expect(query.database == 1)
        let both = try RedisBackend.Configuration(url: "redis://127.0.0.1/3?db=3")
        #expect(both.endpoint == .tcp(host: "127.0.0.1", port: 6379) && both.database == 3)
        let trailingSlash = try RedisBackend.Configuration(url: "redis://127.0.0.1:6390/")
        #expect(trailingSlash.database == 0)
    }

    /// A NUL would cut the host where hiredis reads it as a C string, and it would connect to 127.0.0.1.
    @Test(arguments: ["127.0.0.1\0junk", "127.0.0.1 ", "host\nname", ""])
    func hostsThatCWouldReadDifferentlyAreRefused(_ host: String) {
        let error = #expect(throws: CacheError.self) {
            try RedisBackend(configuration: .init(endpoint: .tcp(host: host, port: 6379)))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("host") == true, "\(error?.message ?? "")")
        let cluster = #expect(throws: CacheError.self) {
            try RedisClusterBackend(configuration: .init(seeds: [.init(host: host, port: 7000)]))
        }
        #expect(cluster?.code == .invalidConfiguration)
        #expect(cluster?.message.contains("host") == true, "\(cluster?.message ?? "")")
    }

    @Test func socketPathsThatCWouldCutAreRefused() {
        for path in ["/tmp/redis\0.sock", "/tmp/" + String(repeating: "d", count: 200) + ".sock"] {
            let error = #expect(throws: CacheError.self) {
                try RedisBackend(configuration: .init(endpoint: .unixSocket(path: path)))
            }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains("socket path") == true, "\(error?.message ?? "")")
        }
        #expect(throws: Never.self) {
            try RedisBackend.Configuration(endpoint: .unixSocket(path: "/tmp/redis.sock")).validated()
        }
    }

    @Test func usernamesWithNULOrSpacesAreRefused() {
        for username in ["ali\0ce", "ali ce", ""] {
            let error = #expect(throws: CacheError.self) {
                try RedisBackend(configuration: .init(username: username, password: "pw"))
            }
            #expect(error?.message.contains("username") == true, "\(error?.message ?? "")")
        }
    }

    /// hiredis reads a zero `timeval` as "no timeout": a timeout below 1 µs would wait forever. Too long ones
    /// overflow hiredis's milliseconds. Both are refused, naming the field.
    @Test(arguments: [
        Duration.nanoseconds(1), .nanoseconds(999), .seconds(25 * 24 * 3600), .seconds(Int64.max) + .seconds(Int64.max),
        .seconds(-1),
    ])
    func timeoutsHiredisCannotHoldAreRefused(_ timeout: Duration) {
        for field in ["commandTimeout", "connectTimeout"] {
            var configuration = RedisBackend.Configuration()
            if field == "commandTimeout" {
                configuration.commandTimeout = timeout
            } else {
                configuration.connectTimeout = timeout
            }
            let error = #expect(throws: CacheError.self) { try RedisBackend(configuration: configuration) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
        }
        var cluster = RedisClusterBackend.Configuration(seeds: [.init(host: "127.0.0.1", port: 7000)])
        cluster.commandTimeout = timeout
        let error = #expect(throws: CacheError.self) { try RedisClusterBackend(configuration: cluster) }
        #expect(error?.message.contains("commandTimeout") == true, "\(error?.message ?? "")")
    }

    @Test func reconnectionSettingsAreChecked() {
        for reconnection in [
            RedisBackend.Configuration.Reconnection(initialBackoff: .seconds(-1)),
            .init(initialBackoff: .seconds(2), maximumBackoff: .seconds(1)),
            .init(failureThreshold: 0),
            .init(coolDown: .seconds(-1)),
        ] {
            let error = #expect(throws: CacheError.self) {
                try RedisBackend(configuration: .init(reconnection: reconnection))
            }
            #expect(error?.message.contains("reconnection.") == true, "\(error?.message ?? "")")
        }
    }

    @Test func passwordsAreNotEchoedInErrors() {
        let error = #expect(throws: CacheError.self) {
            try RedisBackend.Configuration(url: "redis://u:topsecret@h:99999")
        }
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
