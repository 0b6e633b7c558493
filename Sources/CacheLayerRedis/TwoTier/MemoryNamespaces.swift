import CacheLayer
import Synchronization

/// The namespaces that have entries in the memory tier, by name: how a Redis key named by an invalidation
/// (`keyPrefix + namespace + ":" + key`) becomes the memory tier's key.
///
/// A namespace never contains `:`, so the first `:` after the prefix ends it. A key whose namespace never had an
/// entry here has nothing to evict.
///
/// Namespaces are told apart by their bytes, as keys are everywhere: `String` equality would make two namespaces
/// whose names are canonically equivalent but differently encoded (`café` precomposed and decomposed) one, and an
/// invalidation of one's key would evict the other's, leaving the first stale.
final class MemoryNamespaces: Sendable {
    private let known = Mutex<[[UInt8]: CacheNamespace]>([:])
    private let keyPrefix: [UInt8]

    init(keyPrefix: [UInt8]) {
        self.keyPrefix = keyPrefix
    }

    /// Records that `namespace` may have entries in memory (before they are stored).
    func note(_ namespace: CacheNamespace) {
        let name = Array(namespace.name.utf8)
        self.known.withLock { known in
            if known[name] == nil {
                known[name] = namespace
            }
        }
    }

    /// The memory tier's key for a Redis key, or `nil` when it is not one of ours or its namespace has no entries.
    func cacheKey(forRedisKey redisKey: [UInt8]) -> CacheKey? {
        guard redisKey.count > self.keyPrefix.count, redisKey.starts(with: self.keyPrefix) else { return nil }
        let rest = redisKey[self.keyPrefix.count...]
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = Array(rest[..<colon])
        guard let namespace = self.known.withLock({ $0[name] }) else { return nil }
        return CacheKey(namespace: namespace, key: String(decoding: rest[(colon + 1)...], as: UTF8.self))
    }
}
