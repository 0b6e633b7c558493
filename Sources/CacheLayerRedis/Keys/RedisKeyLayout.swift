import CacheLayer

/// How cache keys become Redis keys: `keyPrefix + namespace + ":" + key`, and the SCAN pattern that selects one
/// namespace. Shared by the single-node and cluster backends.
struct RedisKeyLayout: Sendable {
    let keyPrefix: [UInt8]

    init(keyPrefix: String) {
        self.keyPrefix = Array(keyPrefix.utf8)
    }

    func redisKey(_ key: CacheKey) -> [UInt8] {
        var bytes = self.keyPrefix
        bytes.reserveCapacity(self.keyPrefix.count + key.flatByteCount)
        bytes += key.namespace.name.utf8
        bytes.append(UInt8(ascii: ":"))
        bytes += key.key.utf8
        return bytes
    }

    /// `keyPrefix + namespace + ":*"`, with the glob characters of the key prefix escaped (namespaces cannot
    /// contain them), so SCAN matches this namespace's keys and nothing else.
    func namespacePattern(_ namespace: CacheNamespace) -> [UInt8] {
        var pattern: [UInt8] = []
        for byte in self.keyPrefix {
            if byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\\")
            {
                pattern.append(UInt8(ascii: "\\"))
            }
            pattern.append(byte)
        }
        pattern += namespace.name.utf8
        pattern += ":*".utf8
        return pattern
    }
}
