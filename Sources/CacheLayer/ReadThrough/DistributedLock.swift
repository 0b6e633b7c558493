/// A lock on one cache key that every process sharing the backend sees: `set-if-absent` with a lease to take it,
/// an owner-checked delete to release it.
///
/// The lock lives under its own namespace, the cache's name followed by U+0001 and `lock`: namespaces never
/// contain control characters, so no cache's keys can collide with a lock, and a namespace flush leaves locks to
/// their leases.
struct DistributedLock: Sendable {
    let backend: any CacheBackend
    let key: CacheKey

    /// The lock guarding `key`.
    init(guarding key: CacheKey, on backend: any CacheBackend) {
        self.backend = backend
        self.key = CacheKey(namespace: key.namespace.lockNamespace, key: key.key)
    }

    /// Takes the lock for `lease` (at most ``Cache/maximumTTL``) if nobody holds it. Returns the token that releases it, or `nil` when it is held.
    func tryAcquire(lease: Duration) async throws(CacheError) -> [UInt8]? {
        let token = Self.makeToken()
        return try await self.backend.setIfAbsent(self.key, to: token, ttl: min(lease, CacheTTL.maximum)) ? token : nil
    }

    /// Releases the lock if `token` still holds it (after the lease ran out, another caller may). Never throws: a
    /// lock that cannot be released ends with its lease.
    func release(_ token: [UInt8]) async {
        _ = try? await self.backend.delete(self.key, ifValueEquals: token)
    }

    /// 16 random bytes as 32 hexadecimal digits: unique per acquisition across processes.
    private static func makeToken() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var token = [UInt8]()
        token.reserveCapacity(32)
        for _ in 0..<2 {
            var word = generator.next()
            for _ in 0..<16 {
                token.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        return token
    }
}
