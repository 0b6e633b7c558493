import CacheLayer
import CoreMetrics
import Foundation
import Testing

@testable import CacheLayerRedis

/// The Redis Cluster the test command started for this run (`scripts/test.sh` exports its nodes' URLs).
///
/// Cluster tests are enabled when the URLs are set, and always under CI (`CI=true`), where a missing or
/// unreachable cluster fails the test instead of skipping it.
enum RedisClusterTestServer {
    static let environment = "CACHELAYER_REDIS_CLUSTER_URLS"

    static var urls: String? {
        ProcessInfo.processInfo.environment[environment]
    }

    static var shouldRun: Bool { urls != nil || RedisTestServer.isCI }

    static var ports: [Int] {
        get throws {
            let urls = try #require(urls, "\(environment) is not set: run the tests with scripts/test.sh")
            return urls.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
        }
    }

    /// A configuration for the test cluster, with a key prefix of its own so tests never see each other, and node
    /// metrics in `nodeMetrics` when given.
    static func configuration(urls: String? = nil, nodeMetrics: (any MetricsFactory)? = nil) throws -> RedisClusterBackend.Configuration {
        var configuration = try RedisClusterBackend.Configuration(urlList: urls ?? (try #require(Self.urls, "\(environment) is not set: run the tests with scripts/test.sh")))
        configuration.keyPrefix = "test-\(UUID().uuidString.prefix(8)):"
        if let nodeMetrics {
            configuration.nodeMetrics = true
            configuration.metricsFactory = nodeMetrics
        }
        return configuration
    }

    static func backend(urls: String? = nil) throws -> RedisClusterBackend {
        try RedisClusterBackend(configuration: configuration(urls: urls))
    }
}

/// A node of a test cluster, reached directly (not through the cluster backend's routing) for set-up and checks:
/// node ids, slot migration, key placement.
struct ClusterNodeAdmin {
    let port: Int
    let backend: RedisBackend

    init(port: Int) throws {
        self.port = port
        self.backend = try RedisBackend(url: "redis://127.0.0.1:\(port)")
    }

    func command(_ arguments: [UInt8]...) async throws -> RedisReply {
        try await self.backend.execute(RedisCommand(arguments))
    }

    func command(_ arguments: String...) async throws -> RedisReply {
        try await self.backend.execute(RedisCommand(arguments.map { Array($0.utf8) }))
    }

    /// `MIGRATE 127.0.0.1 <port> "" 0 5000 KEYS <keys>`: moves keys to another node, as a reshard does.
    func migrate(_ keys: [[UInt8]], to port: Int) async throws -> RedisReply {
        let head: [[UInt8]] = ["MIGRATE", "127.0.0.1", "\(port)", "", "0", "5000", "KEYS"].map { Array($0.utf8) }
        return try await self.backend.execute(RedisCommand(head + keys))
    }

    /// Sends `ASKING` and the command on one connection: what a client does after an ASK redirection.
    func asking(_ arguments: [UInt8]...) async throws -> RedisReply {
        try await self.backend.pool.send(RedisCommand(arguments), asking: true).get().checked(String(decoding: arguments[0], as: UTF8.self))
    }

    func text(_ arguments: String...) async throws -> String {
        let reply = try await self.backend.execute(RedisCommand(arguments.map { Array($0.utf8) }))
        switch reply {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: throw RedisTestServer.RawCommandError(description: "unexpected reply \(reply)")
        }
    }

    var id: String {
        get async throws { try await self.text("CLUSTER", "MYID") }
    }

    /// The slot ranges and their masters, as this node sees them.
    func slots() async throws -> ClusterSlots {
        try ClusterSlots(parsing: await self.command("CLUSTER", "SLOTS"), from: ClusterNodeAddress(host: "127.0.0.1", port: self.port))
    }
}
