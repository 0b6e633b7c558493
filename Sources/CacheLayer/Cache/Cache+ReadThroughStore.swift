extension Cache {
    /// Stores `value` under `key` exactly as ``readThrough(key:ttl:policy:tags:coding:loader:)`` stores a value its loader
    /// returned: through `coding` (nothing is stored when it declines), for `ttl` spread by the policy's jitter, with
    /// the freshness header a grace period or early refresh needs, recorded as a `cache.put`.
    ///
    /// For a value that is complete only after the read-through has returned: a streamed HTTP response, forwarded
    /// to its client while a copy is kept, whose end comes after the middleware has answered. `loadDuration` is how
    /// long producing the value took (early refresh starts sooner for values that are slow to load). The value is
    /// stored with `tags`. Its guard against removals starts when this is called, not when the value started: a
    /// removal while the stream was being copied does not stop this store (the response cache stores under the
    /// guard its read-through's loader ran in, which does).
    ///
    /// ```swift
    /// let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    /// try await cache.storeLoaded(body, key: "/events/today", ttl: .seconds(60), coding: coding, loadDuration: elapsed)
    /// ```
    ///
    /// - Throws: ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/invalidConfiguration`` for a bad policy, ``CacheError/Code/encodeFailure`` when the
    ///   coding throws; backend failures only when ``Configuration/failOpen`` is `false`. A value too large for the
    ///   backend is not stored, and is no error.
    public nonisolated(nonsending) func storeLoaded<Value: Sendable>(
        _ value: Value,
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        tags: [String] = [],
        coding: CacheValueCoding<Value>,
        loadDuration: Duration
    ) async throws {
        try await self.storeLoaded(
            value, key: key, ttl: ttl, policy: policy, tags: tags, coding: coding, loadDuration: loadDuration,
            guardedBy: nil)
    }

    /// ``storeLoaded(_:key:ttl:policy:tags:coding:loadDuration:)`` under the guard a read-through's loader ran in
    /// (``GuardedLoad/current``, taken in that loader): a removal at any time since that loader started stops the
    /// store, and so does the end of the cache's ``Configuration/loadWindow`` since then.
    package nonisolated(nonsending) func storeLoaded<Value: Sendable>(
        _ value: Value,
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        tags: [String] = [],
        coding: CacheValueCoding<Value>,
        loadDuration: Duration,
        guardedBy guarded: GuardedLoad?
    ) async throws {
        let store = try ReadThrough(cache: self, key: key, ttl: ttl, policy: policy, coding: coding, tags: tags)
        let now = ContinuousClock.now
        // Clamped to a year: past that, early refresh treats every load alike, and the instant cannot overflow.
        let elapsed = min(max(loadDuration, .zero), .seconds(365 * 24 * 3_600))
        _ = try await store.loadAndStore(startedAt: now - elapsed, guardedBy: guarded) { LoadResult(value) }
    }
}
