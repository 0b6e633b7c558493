import CacheLayer
import Testing

@testable import CacheLayerRedis

/// How an invalidation's Redis key finds the memory tier's key: by bytes, so that canonically equivalent but
/// differently encoded namespaces stay apart (keys are compared by bytes everywhere else).
@Suite("Memory tier namespaces")
struct MemoryNamespacesTests {
    static let precomposed = "caf\u{E9}"
    static let decomposed = "cafe\u{301}"

    @Test func canonicallyEquivalentNamespacesAreTwoNamespaces() throws {
        #expect(Self.precomposed == Self.decomposed)  // equal as Swift strings
        let namespaces = MemoryNamespaces(keyPrefix: Array("app:".utf8))
        let first = try CacheNamespace(Self.precomposed)
        let second = try CacheNamespace(Self.decomposed)
        namespaces.note(first)
        namespaces.note(second)
        for namespace in [first, second] {
            let redisKey = Array("app:\(namespace.name):k".utf8)
            let key = try #require(namespaces.cacheKey(forRedisKey: redisKey))
            #expect(Array(key.namespace.name.utf8) == Array(namespace.name.utf8))
            #expect(key == CacheKey(namespace: namespace, key: "k"))
        }
    }

    @Test func keysOfOtherPrefixesOrUnknownNamespacesAreNotOurs() throws {
        let namespaces = MemoryNamespaces(keyPrefix: Array("app:".utf8))
        namespaces.note(try CacheNamespace("orders"))
        #expect(namespaces.cacheKey(forRedisKey: Array("app2:orders:k".utf8)) == nil)
        #expect(namespaces.cacheKey(forRedisKey: Array("app:users:k".utf8)) == nil)
        #expect(namespaces.cacheKey(forRedisKey: Array("app:orders".utf8)) == nil)
        #expect(namespaces.cacheKey(forRedisKey: Array("app:orders:a:b".utf8))?.key == "a:b")
    }
}
