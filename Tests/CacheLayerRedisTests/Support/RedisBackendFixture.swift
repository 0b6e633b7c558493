import CacheLayer
import Foundation
import Testing

@testable import CacheLayerRedis

/// Backends on the test command's redis-server, each with a key prefix of its own so tests never see each other.
enum RedisBackendFixture {
    static func configuration(url: String? = nil, prefix: String? = nil) throws -> RedisBackend.Configuration {
        var configuration = try RedisBackend.Configuration(url: url ?? (try #require(RedisTestServer.url)))
        configuration.keyPrefix = prefix ?? "test-\(UUID().uuidString.prefix(8)):"
        return configuration
    }

    static func backend(url: String? = nil, prefix: String? = nil) throws -> RedisBackend {
        try RedisBackend(configuration: configuration(url: url, prefix: prefix))
    }
}

extension RedisBackend {
    /// Runs a command on the backend's own connections (tests only: PTTL checks, set-up).
    func command(_ arguments: String...) async throws -> RedisReply {
        try await self.execute(RedisCommand(arguments.map { Array($0.utf8) }))
    }
}
