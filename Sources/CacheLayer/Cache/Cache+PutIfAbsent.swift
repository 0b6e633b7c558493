extension Cache {
    /// Encodes `value` with the configured codec and stores it under `key` for `ttl` (`nil`: until evicted), only if
    /// no live value is there. Returns whether it stored the value. The check and the write are one backend operation
    /// (`SET NX` on Redis), so of concurrent calls for one key, in this process or another sharing the backend, one
    /// stores and the others return `false`.
    ///
    /// The key checks, value format, TTL rules (``Configuration/ttlJitter``, ``maximumTTL``), `cache.put` span and
    /// metrics are those of ``put(_:value:ttl:tags:)``; the span's `cache.write` is `false` when nothing was stored.
    ///
    /// `false` also means nothing was stored when the backend failed and the cache fails open
    /// (``Configuration/failOpen``), or a failed removal waits for replay: a caller that must tell "already there"
    /// apart from "backend down" uses a cache that does not fail open.
    /// - Throws: ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``, ``CacheError/Code/encodeFailure``,
    ///   ``CacheError/Code/valueTooLarge``; backend failures only when ``Configuration/failOpen`` is `false`.
    @discardableResult
    public nonisolated(nonsending) func putIfAbsent<Value: Encodable>(
        _ key: String, value: Value, ttl: Duration? = nil
    ) async throws(CacheError) -> Bool {
        let cacheKey = try self.makeKey(key)
        try self.validate(ttl: ttl)
        let bytes = try self.encode(value)
        return try await self.store(
            cacheKey, self.framing(bytes), ttl: ttl.map { self.storedTTL($0) }, onlyIfAbsent: true)
    }
}
