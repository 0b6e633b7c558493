import CacheLayer

/// How cache keys become Redis keys: `keyPrefix + namespace + ":" + key`, and the SCAN pattern that selects one
/// namespace. Shared by the single-node and cluster backends.
struct RedisKeyLayout: Sendable {
    let keyPrefix: [UInt8]

    init(keyPrefix: String) {
        self.keyPrefix = Array(keyPrefix.utf8)
    }

    /// Refuses a key prefix that could make two caches sharing a database write the same Redis key: a non-empty
    /// prefix ends with `:` and contains no other `:` (`"myapp:"`). Namespaces contain no `:` either, so
    /// `prefix + namespace + ":"` then says where the prefix and the namespace end: prefixes `"app"` and `"app2"`
    /// would store namespace `2x` of the first and namespace `x` of the second under the same `app2x:` keys.
    static func validate(keyPrefix: String) throws(CacheError) {
        guard !keyPrefix.isEmpty else { return }
        let separators = keyPrefix.utf8.lazy.filter { $0 == UInt8(ascii: ":") }.count
        guard keyPrefix.utf8.last == UInt8(ascii: ":"), separators == 1 else {
            throw CacheError(
                .invalidConfiguration,
                "the key prefix '\(keyPrefix)' must end with ':' and contain no other ':' (for example 'myapp:'), so "
                    + "that two caches with different prefixes never share a Redis key")
        }
        guard !keyPrefix.utf8.contains(0) else {
            throw CacheError(.invalidConfiguration, "the key prefix contains a NUL byte")
        }
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
