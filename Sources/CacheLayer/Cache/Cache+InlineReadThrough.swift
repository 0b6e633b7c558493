extension Cache {
    /// Reads `key` through the cache with a loader that runs in the calling task, and says where the value came
    /// from.
    ///
    /// The loaded value is stored with `tags` (see ``invalidate(tags:)``); a removal or invalidation while the
    /// loader runs wins, as for `getOrLoad`.
    ///
    /// This is read-through for loaders that cannot outlive the call, such as a middleware's `next` handler, and for
    /// values with a byte format of their own; ``getOrLoad(key:ttl:policy:tags:as:loader:)`` is the usual API. It takes
    /// the same policy, with these differences:
    /// - Concurrent misses of one key in this process share one load, which runs in the task of the caller that
    ///   missed first; the others wait and get its value (``ReadThroughSource/shared``) or its error. If that caller
    ///   is cancelled, one of the waiting callers takes over. A value the coding declines to store is not shared
    ///   either: each waiting caller then runs its own load. `getOrLoad` callers of the same key share the same
    ///   flights (one single-flight serves both): whichever missed first leads, the others wait.
    /// - A value past its time-to-live but within the grace period, or one drawn for an early refresh, is
    ///   refreshed by the one caller in this process that claims the refresh (under the lock, when the policy has
    ///   one, without waiting for it); that caller gets the new value (``ReadThroughSource/loaded``), everyone else
    ///   the cached value at once (``ReadThroughSource/stale`` or ``ReadThroughSource/hit``). A refresh that fails
    ///   is counted and logged, and its caller gets the cached value.
    /// - With ``LoadPolicy/maximumStaleAge`` (stale if error), a load that throws answers with the value kept past
    ///   its TTL (``ReadThroughSource/stale``, ``ReadThroughResult/loadError`` saying why). The timeouts bound
    ///   every caller, the one whose loader runs included: the loader cannot outlive the call, so once its caller
    ///   has waited its limit (the ``LoadPolicy/softTimeout`` with a stale value to serve, else the
    ///   ``LoadPolicy/hardTimeout``) the load is cancelled, and the caller gets the stale value or
    ///   ``CacheError/Code/loaderTimeout`` as soon as the loader has stopped. (A `getOrLoad` load goes on in the
    ///   background past the soft timeout and stores its value.)
    ///
    /// ```swift
    /// let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    /// let page = try await cache.readThrough(key: "/admin/order-items?page=1", ttl: .seconds(60), coding: coding) {
    ///     try await renderPage(1)
    /// }
    /// // page.source == .hit, .stale, .loaded or .shared
    /// ```
    ///
    /// - Throws: what `loader` throws; ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/invalidConfiguration`` for a bad policy, ``CacheError/Code/encodeFailure`` when the
    ///   coding throws, ``CacheError/Code/lockTimeout`` when the lock policy says to fail after waiting,
    ///   ``CacheError/Code/loaderTimeout`` past a timeout with no stale value to serve.
    public nonisolated(nonsending) func readThrough<Value: Sendable>(
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        tags: [String] = [],
        coding: CacheValueCoding<Value>,
        loader: () async throws -> Value
    ) async throws -> ReadThroughResult<Value> {
        try await self.readThrough(key: key, ttl: ttl, policy: policy, tags: tags, coding: coding) {
            LoadResult(try await loader())
        }
    }

    /// ``readThrough(key:ttl:policy:tags:coding:loader:)`` with a loader that also says how its value is cached: for how
    /// long (``LoadResult/ttl``: a response's own `max-age`, say), or not at all (``LoadResult/cachesValue``; unlike
    /// a value the coding declines, such a value is still shared with the callers waiting for it).
    /// - Throws: as ``readThrough(key:ttl:policy:tags:coding:loader:)``, and ``CacheError/Code/invalidTTL`` for a
    ///   loader's TTL that is not positive.
    ///
    /// A closure that fits both overloads (one that only throws) is taken as a plain loader.
    @_disfavoredOverload
    public nonisolated(nonsending) func readThrough<Value: Sendable>(
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        tags: [String] = [],
        coding: CacheValueCoding<Value>,
        adaptiveLoader loader: () async throws -> LoadResult<Value>
    ) async throws -> ReadThroughResult<Value> {
        try await self.readThrough(
            key: key, ttl: ttl, policy: policy, tags: tags, coding: coding, prefetched: nil, adaptiveLoader: loader)
    }

    /// ``readThrough(key:ttl:policy:tags:coding:adaptiveLoader:)`` going on from what
    /// ``readFreshFrameWithoutSuspending(key:ttl:policy:tags:)`` read (`prefetched`), without reading it again.
    package nonisolated(nonsending) func readThrough<Value: Sendable>(
        key: String,
        ttl: Duration?,
        policy: LoadPolicy?,
        tags: [String],
        coding: CacheValueCoding<Value>,
        prefetched: PrefetchedRead?,
        adaptiveLoader loader: () async throws -> LoadResult<Value>
    ) async throws -> ReadThroughResult<Value> {
        let load = try ReadThrough(cache: self, key: key, ttl: ttl, policy: policy, coding: coding, tags: tags)
        var fallback: ReadThrough<Value>.Found?
        if let found = try await load.read(recordingSpan: true, prefetched: prefetched) {
            switch found.refresh {
            case .none:
                return ReadThroughResult(value: found.value, source: .hit)
            case .early:
                return try await load.refreshInline(early: true, current: found.value, loader)
            case .stale:
                return try await load.refreshInline(early: false, current: found.value, loader)
            case .expired:
                if let throttled = load.servingThrottled(found) { return throttled }
                fallback = found
            }
        }
        return try await load.loadSharing(loader, fallback: fallback)
    }
}
