/// Tags and guarded loads on the memory backend, through its ``MemoryTagIndex``: the same guarantees as on Redis
/// (a removal or invalidation wins over a load in flight; an invalidation removes every tagged entry before it
/// returns), under the index's lock rather than in a script.
extension MemoryBackend {
    public nonisolated(nonsending) func set(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]
    ) async throws(CacheError) {
        guard !tags.isEmpty else { return try await self.set(key, to: value, ttl: ttl) }
        try self.tagIndex.withLock { (state) throws(CacheError) in
            state.add(key, to: tags, exists: self.contains)
            state.cancelLoads(of: key)
            try self.setImmediately(key, to: value, ttl: ttl)
        }
    }

    public nonisolated(nonsending) func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        let now = self.configuration.clock.nanosecondsNow()
        let (deadline, overflow) = now.addingReportingOverflow(max(window.clampedNanoseconds, 1))
        let number = self.tagIndex.withLock { state in
            state.add(key, to: tags, exists: self.contains)
            return state.begin(key, deadline: overflow ? .max : deadline, now: now)
        }
        return CacheLoadToken(bytes: withUnsafeBytes(of: number.littleEndian) { Array($0) })
    }

    public nonisolated(nonsending) func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        guard token.bytes.count == 8 else { return false }
        let number = token.bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        return try self.tagIndex.withLock { (state) throws(CacheError) -> Bool in
            guard state.finish(number, of: key, now: self.configuration.clock.nanosecondsNow()) else { return false }
            try self.setImmediately(key, to: value, ttl: ttl)
            return true
        }
    }

    public nonisolated(nonsending) func invalidate(tags: [CacheTag]) async throws(CacheError) {
        self.tagIndex.withLock { state in
            for key in state.take(tags) {
                _ = self.deleteNow(key)
            }
        }
    }

    /// Whether `key` has a live value (for pruning tags), without counting a read or touching its eviction order.
    func contains(_ key: CacheKey) -> Bool {
        let hash = key.hashValue
        let clock = self.configuration.clock
        return self.withShard(for: hash) { store in store.holds(key, hash: hash, now: { clock.nanosecondsNow() }) }
    }
}
