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
    static func configuration(
        urls: String? = nil, nodeMetrics: (any MetricsFactory)? = nil
    ) throws -> RedisClusterBackend.Configuration {
        var configuration = try RedisClusterBackend.Configuration(
            urlList: urls ?? (try #require(Self.urls, "\(environment) is not set: run the tests with scripts/test.sh")))
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
