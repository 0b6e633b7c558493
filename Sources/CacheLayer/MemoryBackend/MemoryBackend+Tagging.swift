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
        guard let number = Self.loadNumber(token) else { return false }
        return try self.tagIndex.withLock { (state) throws(CacheError) -> Bool in
            guard state.isPending(number, of: key, now: self.configuration.clock.nanosecondsNow()) else {
                state.end(number, of: key)
                return false
            }
            // A value too large throws here and leaves the load pending, for ``endLoad(of:token:)``.
            try self.setImmediately(key, to: value, ttl: ttl)
            // The other loads of the key (another cache's on this backend) are refused from now on, as on Redis,
            // where this store replaces the marker they share.
            state.cancelLoads(of: key)
            return true
        }
    }

    public nonisolated(nonsending) func endLoad(
        of key: CacheKey, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        guard let number = Self.loadNumber(token) else { return false }
        return self.tagIndex.withLock { state in
            state.finish(number, of: key, now: self.configuration.clock.nanosecondsNow())
        }
    }

    /// The number of a load in the index, from the token ``beginLoad(of:tags:ttl:window:)`` made of it; `nil` for
    /// a token of another backend.
    private static func loadNumber(_ token: CacheLoadToken) -> UInt64? {
        guard token.bytes.count == 8 else { return nil }
        return token.bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
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
