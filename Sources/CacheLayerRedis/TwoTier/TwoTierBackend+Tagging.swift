import CacheLayer

/// Tags and guarded loads on a two-tier cache: Redis does them (its tag sets and pending-load markers), and the
/// memory tier is kept coherent the way plain writes keep it.
///
/// - A tagged write, the start of a load (which may write a marker at the key) and a load's store go to Redis
///   with the key evicted from memory before and after, like ``TwoTierBackend/set(_:to:ttl:)``; the next read
///   fills it. A marker is never served nor stored in memory (a read of one is a miss).
/// - An invalidation goes to Redis, then flushes the memory tier's entries of the tags' namespaces (and refuses
///   every fill in flight), so this process reads none of the removed keys once it returns; other processes drop
///   them as their tracking connections report the deletions.
extension TwoTierBackend {
    /// Redis's tagged write, then the key leaves memory.
    public nonisolated(nonsending) func set(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]
    ) async throws(CacheError) {
        try await self.write(key) { () throws(CacheError) in
            try await self.redis.backend.set(key, to: value, ttl: ttl, tags: tags)
        }
    }

    /// Redis's guarded load start (a marker at the key, or the live value's hash), with the key out of memory.
    public nonisolated(nonsending) func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        try await self.write(key) { () throws(CacheError) in
            try await self.redis.backend.beginLoad(of: key, tags: tags, ttl: ttl, window: window)
        }
    }

    /// Redis's guarded store (refused when the key was removed, invalidated or written since), then the key
    /// leaves memory.
    public nonisolated(nonsending) func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await self.write(key) { () throws(CacheError) in
            try await self.redis.backend.finishLoad(of: key, storing: value, ttl: ttl, token: token)
        }
    }

    /// Redis's answer: memory holds nothing of a load that stored nothing.
    public nonisolated(nonsending) func endLoad(
        of key: CacheKey, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await self.redis.backend.endLoad(of: key, token: token)
    }

    /// Redis's invalidation, then the memory entries of the tags' namespaces (a tag's members are keys of its
    /// namespace, as ``CacheLayer/Cache`` writes them) leave memory, and every fill in flight is refused. The
    /// flush runs even when Redis fails, which may have removed some members already.
    public nonisolated(nonsending) func invalidate(tags: [CacheTag]) async throws(CacheError) {
        defer {
            var namespaces: [CacheNamespace] = []
            for tag in tags where !namespaces.contains(tag.namespace) {
                namespaces.append(tag.namespace)
            }
            self.sink.gate.flush {
                for namespace in namespaces {
                    self.memory.deleteAllImmediately(in: namespace)
                }
            }
            AnsweringTier.record(.none)
        }
        try await self.redis.backend.invalidate(tags: tags)
    }
}
