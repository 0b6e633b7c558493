extension Cache {
    /// Returns the cached value for `key`, or runs `loader`, stores its result for `ttl` and returns it
    /// (read-through), protected against stampedes.
    ///
    /// - Concurrent misses of one key in this process share one `loader` call (unless
    ///   ``Configuration/coalescesLoads`` is off): every caller gets the same value or the same error. The load runs
    ///   in a task of its own, so cancelling one caller (even the first) leaves the load running for the others; the
    ///   cancelled caller gets `CancellationError`.
    /// - With a ``LoadPolicy/lock``, one caller across every process sharing the backend loads; the others wait
    ///   (bounded, with jittered back-off) and read the value when it lands. A holder that dies is replaced once its
    ///   lease ends. A backend that cannot be reached for the lock does not block anyone: the caller loads.
    /// - With a ``LoadPolicy/gracePeriod``, a value past its `ttl` but within grace is returned at once (the
    ///   `cache.get` span says `cache.stale = true`) while one background refresh replaces it; a refresh that fails
    ///   leaves the stale value until grace ends, and is counted and logged.
    /// - With ``LoadPolicy/earlyRefresh``, a fresh value may be refreshed in the background before it expires.
    ///
    /// `policy` overrides ``Configuration/loadPolicy`` for this call. A value too large for the backend is returned
    /// without being cached. Errors from `loader` are rethrown and nothing is stored.
    /// - Throws: what `loader` throws; ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/invalidConfiguration`` for a bad policy, ``CacheError/Code/lockTimeout`` when the lock
    ///   policy says to fail after waiting.
    public nonisolated(nonsending) func getOrLoad<Value: Codable & Sendable>(
        key: String,
        ttl: Duration?,
        policy: LoadPolicy? = nil,
        as type: Value.Type = Value.self,
        loader: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try self.validate(ttl: ttl)
        if let policy { try policy.validate() }
        let load = ReadThrough(
            cache: self,
            key: try self.makeKey(key),
            ttl: ttl,
            policy: policy ?? self.core.configuration.loadPolicy,
            loader: loader
        )
        if let found = try await load.read(recordingSpan: true) {
            switch found.refresh {
            case .none:
                break
            case .early:
                load.refreshInBackground(early: true)
            case .stale:
                self.core.observer.metrics?.recordStaleServe()
                load.refreshInBackground(early: false)
            }
            return found.value
        }
        guard self.core.configuration.coalescesLoads else {
            self.core.observer.metrics?.recordLoad(coalesced: false)
            return try await load.loadCoordinated()
        }
        let (outcome, started) = await self.core.flights.run(load.key) {
            do {
                return .success(try await load.loadCoordinated())
            } catch {
                return .failure(error)
            }
        }
        self.core.observer.metrics?.recordLoad(coalesced: !started)
        switch outcome {
        case .success(let value as Value):
            return value
        case .success:
            // Another caller loaded the same key as a different type: load this one on its own.
            return try await load.loadAndStore()
        case .failure(let error):
            throw error
        }
    }
}

/// One `getOrLoad` call's key, TTL, policy and loader, and the steps it may take.
struct ReadThrough<Value: Codable & Sendable>: Sendable {
    /// Whether a value that was found should be refreshed in the background.
    enum Refresh: Equatable {
        case none
        /// Fresh, but XFetch drew an early refresh.
        case early
        /// Past its fresh period, within grace.
        case stale
    }

    let cache: Cache
    let key: CacheKey
    let ttl: Duration?
    let policy: LoadPolicy
    let loader: @Sendable () async throws -> Value

    private var configuration: Cache.Configuration { self.cache.core.configuration }
    private var observer: OperationObserver { self.cache.core.observer }

    // MARK: Reading

    /// Reads and decodes the value. A stored value that does not decode, or whose grace has run out, is a miss.
    /// With `recordingSpan`, the read is a `cache.get` (stale hits marked); lock polls read without one.
    func read(recordingSpan: Bool) async throws(CacheError) -> (value: Value, refresh: Refresh)? {
        var refresh = Refresh.none
        let found = try await self.cache.read(self.key, observed: recordingSpan) {
            (bytes) throws(CacheError) -> (value: Value, stale: Bool)? in
            let (header, payload) = FreshnessHeader.unframe(bytes)
            let value = try self.cache.decode(Value.self, from: payload)
            refresh = header.map(self.refresh(for:)) ?? .none
            // Past grace, but the backend kept it (its own clock disagrees with the freshness clock): a miss.
            guard refresh != .stale || self.isWithinGrace(header) else { return nil }
            return (value, refresh == .stale)
        }
        return found.map { ($0.value, refresh) }
    }

    private func refresh(for header: FreshnessHeader) -> Refresh {
        let now = self.configuration.freshnessClock.now()
        if now >= header.freshUntil {
            return .stale
        }
        if let early = self.policy.earlyRefresh,
            early.shouldRefresh(
                now: now,
                freshUntil: header.freshUntil,
                loadDuration: header.loadDuration,
                unit: self.configuration.random.nextUnit()
            )
        {
            return .early
        }
        return .none
    }

    private func isWithinGrace(_ header: FreshnessHeader?) -> Bool {
        guard let header, let grace = self.policy.gracePeriod else { return false }
        return self.configuration.freshnessClock.now() < header.freshUntil + grace
    }

    // MARK: Loading

    /// Runs the loader and stores its value; a value too large to cache is returned all the same.
    func loadAndStore() async throws -> Value {
        let started = ContinuousClock.now
        let value = try await self.loader()
        let loadDuration = ContinuousClock.now - started
        var bytes = try self.cache.encode(value)
        var storedTTL = self.ttl.map { ttl in
            guard let jitter = self.policy.ttlJitter else { return self.cache.jittered(ttl) }
            return jitter == .none ? ttl : jitter.apply(to: ttl, unit: self.configuration.random.nextUnit())
        }
        if self.policy.tracksFreshness, let fresh = storedTTL {
            let header = FreshnessHeader(
                freshUntil: self.configuration.freshnessClock.now() + fresh,
                loadDuration: loadDuration
            )
            bytes = header.framing(bytes)
            storedTTL = fresh + (self.policy.gracePeriod ?? .zero)
        }
        do {
            try await self.cache.store(self.key, bytes, ttl: storedTTL)
        } catch {
            // A value too large to cache is already recorded on the put span and metrics; the callers still get it.
            guard error.code == .valueTooLarge else { throw error }
        }
        return value
    }

    /// Loads under the distributed lock when the policy has one: takes it and loads, or waits for the holder's
    /// value, or gives up after the policy's wait.
    func loadCoordinated() async throws -> Value {
        guard let settings = self.policy.lock else {
            return try await self.loadAndStore()
        }
        let lock = DistributedLock(guarding: self.key, on: self.cache.core.backend)
        let span = self.observer.beginLock(self.key)
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            let token: [UInt8]?
            do {
                token = try await lock.tryAcquire(lease: settings.lease)
            } catch {
                // No lock to be had (the backend is down or refused): load rather than block on it.
                self.observer.endLock(span, acquired: false, waited: clock.now - start, timedOut: false)
                return try await self.loadAndStore()
            }
            if let token {
                self.observer.endLock(span, acquired: true, waited: clock.now - start, timedOut: false)
                if attempt > 0 { self.observer.metrics?.recordLockWait(timedOut: false) }
                return try await self.holdingLock(lock, token) {
                    // After a wait, the previous holder may have stored the value just before releasing.
                    if attempt > 0, let found = try await self.read(recordingSpan: false), found.refresh != .stale {
                        return found.value
                    }
                    return try await self.loadAndStore()
                }
            }
            attempt += 1
            if clock.now - start >= settings.maximumWait {
                self.observer.metrics?.recordLockWait(timedOut: true)
                self.observer.endLock(span, acquired: false, waited: clock.now - start, timedOut: true)
                switch settings.onTimeout {
                case .load:
                    return try await self.loadAndStore()
                case .fail:
                    throw CacheError(
                        .lockTimeout,
                        "waited \(settings.maximumWait) for another caller to load '\(self.key.key)' and gave up"
                    )
                }
            }
            try await Task.sleep(for: settings.pause(beforeAttempt: attempt, unit: self.configuration.random.nextUnit()))
            if let found = try await self.read(recordingSpan: false), found.refresh != .stale {
                self.observer.metrics?.recordLockWait(timedOut: false)
                self.observer.endLock(span, acquired: false, waited: clock.now - start, timedOut: false)
                return found.value
            }
        }
    }

    /// Runs `body` and releases the lock whether it returns or throws.
    private func holdingLock(
        _ lock: DistributedLock,
        _ token: [UInt8],
        _ body: () async throws -> Value
    ) async throws -> Value {
        do {
            let value = try await body()
            await lock.release(token)
            return value
        } catch {
            await lock.release(token)
            throw error
        }
    }

    // MARK: Background refresh

    /// Starts one background refresh of the key in this process (none when one is running), under the lock when
    /// the policy has one and without waiting for it: a held lock means another process is refreshing.
    func refreshInBackground(early: Bool) {
        let core = self.cache.core
        let isNew = core.refreshes.withLock { $0.insert(self.key).inserted }
        guard isNew else { return }
        if early { core.observer.metrics?.recordEarlyRefresh() }
        // Not a child task: the caller already has its value and must not wait, or be cancelled into, the refresh.
        Task {
            defer { _ = core.refreshes.withLock { $0.remove(self.key) } }
            do {
                guard let settings = self.policy.lock else {
                    _ = try await self.loadAndStore()
                    return
                }
                let lock = DistributedLock(guarding: self.key, on: core.backend)
                guard let token = try await lock.tryAcquire(lease: settings.lease) else { return }
                _ = try await self.holdingLock(lock, token) { try await self.loadAndStore() }
            } catch {
                core.observer.metrics?.recordRefreshFailure()
                core.observer.warnRefreshFailed(self.key, error)
            }
        }
    }
}
