extension Cache {
    /// Returns the cached value for `key`, or runs `loader`, stores its result for `ttl` and returns it
    /// (read-through), protected against stampedes.
    ///
    /// - Concurrent misses of one key in this process share one `loader` call (unless
    ///   ``Configuration/coalescesLoads`` is off): every caller gets the same value or the same error, including
    ///   callers of ``readThrough(key:ttl:policy:tags:coding:loader:)`` for the same key (one single-flight serves both).
    ///   The load runs in a task of its own, so cancelling one caller (even the first) leaves the load running for
    ///   the others; the cancelled caller gets `CancellationError`.
    /// - With a ``LoadPolicy/lock``, one caller across every process sharing the backend loads; the others wait
    ///   (bounded, with jittered back-off) and read the value when it lands. A holder that dies is replaced once its
    ///   lease ends. A backend that cannot be reached for the lock does not block anyone: the caller loads.
    /// - With a ``LoadPolicy/gracePeriod``, a value past its `ttl` but within grace is returned at once (the
    ///   `cache.get` span says `cache.stale = true`) while one background refresh replaces it; a refresh that fails
    ///   leaves the stale value until grace ends, and is counted and logged.
    /// - With ``LoadPolicy/earlyRefresh``, a fresh value may be refreshed in the background before it expires.
    /// - With ``LoadPolicy/maximumStaleAge`` (stale if error), a value past its TTL and grace but within that age is
    ///   returned when the load throws or runs past a timeout, and loads of the key pause for
    ///   ``LoadPolicy/failSafeThrottle``. With ``LoadPolicy/softTimeout``, callers get that value once the load has
    ///   run that long, and the load goes on in the background; past ``LoadPolicy/hardTimeout`` the load is
    ///   cancelled and callers get the stale value or ``CacheError/Code/loaderTimeout``. Coalesced callers wait
    ///   under the same timeouts.
    ///
    /// `policy` overrides ``Configuration/loadPolicy`` for this call. The loaded value is stored with `tags`
    /// (see ``invalidate(tags:)``); a removal of the key or an invalidation of one of its tags while the loader runs,
    /// in any process, wins: the value is returned but not stored. A value too large for the backend is returned
    /// without being cached. Errors from `loader` are rethrown and nothing is stored.
    /// - Throws: what `loader` throws; ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/invalidConfiguration`` for a bad policy, ``CacheError/Code/lockTimeout`` when the lock
    ///   policy says to fail after waiting, ``CacheError/Code/loaderTimeout`` past the hard timeout with no stale
    ///   value to serve.
    public nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        tags: [String] = [],
        as type: Value.Type = Value.self,
        loader: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let load = try ReadThrough(
            cache: self, key: key, ttl: ttl, policy: policy, coding: self.codableCoding(Value.self), tags: tags)
        return try await self.getOrLoad(load, { LoadResult(try await loader()) })
    }

    /// ``getOrLoad(key:ttl:policy:tags:as:loader:)`` with a loader that also says how its value is cached: for how long
    /// (``LoadResult/ttl``), or not at all (``LoadResult/cachesValue``).
    ///
    /// ```swift
    /// let user = try await cache.getOrLoad(key: "user:42", ttl: .seconds(600)) {
    ///     let user = try await database.user(42)
    ///     return LoadResult(user, ttl: user.isGuest ? .seconds(30) : nil)
    /// }
    /// ```
    /// - Throws: as ``getOrLoad(key:ttl:policy:tags:as:loader:)``, and ``CacheError/Code/invalidTTL`` for a loader's
    ///   TTL that is not positive.
    ///
    /// A closure that fits both overloads (one that only throws) is taken as a plain loader.
    @_disfavoredOverload
    public nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        tags: [String] = [],
        as type: Value.Type = Value.self,
        adaptiveLoader: @escaping @Sendable () async throws -> LoadResult<Value>
    ) async throws -> Value {
        let load = try ReadThrough(
            cache: self, key: key, ttl: ttl, policy: policy, coding: self.codableCoding(Value.self), tags: tags)
        return try await self.getOrLoad(load, adaptiveLoader)
    }

    /// The read-through of both `getOrLoad`s. `loader` is made only when needed: a hit wraps no closure.
    private nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        _ load: ReadThrough<Value>,
        _ loader: @autoclosure () -> @Sendable () async throws -> LoadResult<Value>
    ) async throws -> Value {
        var fallback: ReadThrough<Value>.Found?
        if let found = try await load.read(recordingSpan: true) {
            switch found.refresh {
            case .none:
                return found.value
            case .early:
                load.refreshInBackground(early: true, loader())
                return found.value
            case .stale:
                self.core.observer.metrics?.recordStaleServe()
                load.refreshInBackground(early: false, loader())
                return found.value
            case .expired:
                if let throttled = load.servingThrottled(found) { return throttled.value }
                fallback = found
            }
        }
        let miss = loader()
        return try await load.loadSharing(miss, inOwnTask: miss, fallback: fallback).value
    }
}
