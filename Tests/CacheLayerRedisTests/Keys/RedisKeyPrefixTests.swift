import CacheLayer
import Testing

@testable import CacheLayerRedis

/// Caches with different key prefixes never share a Redis key: prefixes that could are refused when the backend
/// is made, and every accepted (prefix, namespace, key) maps to its own Redis key.
@Suite("Redis key prefixes")
struct RedisKeyPrefixTests {
    @Test(arguments: ["app", "app2", "a:b:", "::", "app:x", "app\0:"])
    func prefixesThatCouldShareKeysAreRefused(prefix: String) {
        var single = RedisBackend.Configuration()
        single.keyPrefix = prefix
        let error = #expect(throws: CacheError.self) { try RedisBackend(configuration: single) }
        #expect(error?.code == .invalidConfiguration)
        var cluster = RedisClusterBackend.Configuration(seeds: [.init(host: "127.0.0.1", port: 7000)])
        cluster.keyPrefix = prefix
        #expect(throws: CacheError.self) { try RedisClusterBackend(configuration: cluster) }
    }

    @Test(arguments: ["", "app:", "app2:", "my-app.v2:"])
    func prefixesOfOneSegmentAreAccepted(prefix: String) throws {
        var configuration = RedisBackend.Configuration()
        configuration.keyPrefix = prefix
        _ = try RedisBackend(configuration: configuration)
    }

    /// Every Redis key of a prefixed cache reads back as exactly one (prefix, namespace, key): two different
    /// triples never meet, whatever `:` the keys hold.
    @Test func redisKeysOfDifferentPrefixesNamespacesAndKeysAreDistinct() throws {
        let prefixes = ["app:", "app2:", "a:"]
        let namespaces = ["x", "2x", "app", "a"]
        let keys = ["k", "x:k", "2x:k", ":", "", "app2:x:k"]
        var seen: [[UInt8]: String] = [:]
        for prefix in prefixes {
            try RedisKeyLayout.validate(keyPrefix: prefix)
            let layout = RedisKeyLayout(keyPrefix: prefix)
            for namespace in namespaces {
                for key in keys {
                    let redisKey = layout.redisKey(CacheKey(namespace: try CacheNamespace(namespace), key: key))
                    let triple = "\(prefix)|\(namespace)|\(key)"
                    #expect(seen[redisKey] == nil, "\(triple) and \(seen[redisKey] ?? "") share a Redis key")
                    seen[redisKey] = triple
                }
            }
        }
    }
}
