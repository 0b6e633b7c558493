/// One read-through's key, TTL, policy and value coding, and the steps it may take. The loader is an argument of
/// each step rather than a stored property, so that a loader which cannot escape its caller (a middleware's `next`)
/// can run them too.
struct ReadThrough<Value: Sendable>: Sendable {
    /// Whether a value that was found should be refreshed.
    enum Refresh: Equatable {
        case none
        /// Fresh, but XFetch drew an early refresh.
        case early
        /// Past its fresh period, within grace.
        case stale
        /// Past its grace (or its fresh period, without one), within the maximum stale age: a miss, whose value is
        /// served only if the load fails or times out (stale if error).
        case expired
    }

    /// A value the cache holds, and what to do about it.
    struct Found {
        var value: Value
        var refresh: Refresh
        /// For an ``Refresh/expired`` value read as a `cache.get`: the span, left open until the caller knows
        /// whether it serves the value (a hit) or loads (a miss).
        var held: Cache.HeldRead?

        /// Whether the value may be returned as it is (fresh, or fresh with an early refresh drawn).
        var isFresh: Bool { self.refresh == .none || self.refresh == .early }
    }

    /// A loaded value, where it came from (``ReadThroughSource/loaded`` or, after a lock wait,
    /// ``ReadThroughSource/shared``), and whether it is kept from the other callers.
    struct Loaded: Sendable {
        var value: Value
        var source: ReadThroughSource
        /// The coding declined to store the value: the other callers load their own.
        var declined = false
        /// The backend refused the guarded store, or would have refused a value that is not stored (a write,
        /// removal or invalidation, here or in another process, won over the load): the value may predate a change
        /// that a caller who joined later must see, so those callers read the key again.
        var refused = false

        /// The value and its source, as a read-through returns them.
        var result: ReadThroughResult<Value> { ReadThroughResult(value: self.value, source: self.source) }
    }

    let cache: Cache
    let key: CacheKey
    let ttl: Duration?
    let policy: LoadPolicy
    let coding: CacheValueCoding<Value>
    /// The tags the loaded value is stored with.
    let tags: [CacheTag]
    /// The flight this read-through leads, and when its load began (`nil`: no other caller waits on its load). A load
    /// under the distributed lock lands it as soon as its value is stored, before the lock's release
    /// (``loadCoordinated(_:)``); a value that is not stored is checked with the backend only when there is one.
    private(set) var leading: (flight: SingleFlight.SharedFlight, began: ContinuousClock.Instant)?
    /// Called with the value when the leading flight lands early, so that the leader's own outcome is that value too:
    /// a hard timeout that fires during the lock's release must not make it a timeout when its waiters have the value.
    var landedEarly: (@Sendable (Loaded) -> Void)?

    /// This read-through, as the leader of `flight`, whose load began at `began`.
    func leading(_ flight: SingleFlight.SharedFlight, began: ContinuousClock.Instant) -> Self {
        var leader = self
        leader.leading = (flight, began)
        return leader
    }

    /// The read-through of `key` on `cache`, after checking the key, the TTL, the policy (`nil`: the cache's) and
    /// the tags.
    init(
        cache: Cache, key: String, ttl: Duration?, policy: LoadPolicy?, coding: CacheValueCoding<Value>,
        tags: [String] = []
    ) throws(CacheError) {
        (self.key, self.policy) = try cache.readThroughInput(key: key, ttl: ttl, policy: policy)
        self.cache = cache
        self.ttl = ttl
        self.coding = coding
        self.tags = try cache.makeTags(tags)
    }

    private var configuration: Cache.Configuration { self.cache.core.configuration }
    private var observer: OperationObserver { self.cache.core.observer }

    // MARK: Reading

    /// Reads and decodes the value. A stored value that does not decode, or whose grace and maximum stale age have
    /// run out, is a miss. With `recordingSpan`, the read is a `cache.get` (stale hits marked; the span of an
    /// ``Refresh/expired`` value is held open, see ``Found/held``); lock polls read without one.
    ///
    /// `prefetched`: what ``Cache/readFreshFrameWithoutSuspending(key:ttl:policy:tags:)`` read and did not serve,
    /// read again from no backend.
    func read(recordingSpan: Bool, prefetched: PrefetchedRead? = nil) async throws(CacheError) -> Found? {
        var refresh = Refresh.none
        var held: Cache.HeldRead?
        let found = try await self.cache.read(
            self.key, observed: recordingSpan, holdingStale: self.policy.maximumStaleAge != nil,
            prefetched: prefetched, &held
        ) { (bytes, handedOut) throws(CacheError) -> (value: Value, stale: Bool, writtenAt: Duration?)? in
            guard let judged = try self.judge(bytes, remembering: handedOut) else { return nil }
            refresh = judged.refresh
            return (judged.value, refresh == .stale || refresh == .expired, judged.writtenAt)
        }
        guard let found else { return nil }
        if recordingSpan { self.recordNegativeHit(found.value, refresh) }
        if let open = held, refresh != .expired {
            // A value within grace is served as it is: its read is a stale hit now.
            self.observer.end(open.operation, .hit(size: open.size, stale: true, age: open.age))
            held = nil
        }
        return Found(value: found.value, refresh: refresh, held: held)
    }

    /// Decodes stored bytes and says whether to refresh them; `nil` for bytes that count as a miss (a frame this
    /// version does not read, a value past grace and maximum stale age). With `remembering` (bytes a backend handed
    /// out from its own storage, which the next read may return again), the decoded value goes into the coding's
    /// memo; bytes read from Redis are new storage every time, and are not remembered.
    /// - Throws: ``CacheError/Code/decodeFailure`` for bytes the coding does not decode.
    private func judge(
        _ bytes: [UInt8], remembering: Bool
    ) throws(CacheError) -> (value: Value, refresh: Refresh, writtenAt: Duration?)? {
        // Framed in a way this version does not read (an older format): a miss, which the load replaces.
        guard let (frame, offset) = StoredFrame.read(bytes) else { return nil }
        let header = frame.freshness
        let value: Value
        if let memoized = self.coding.decodedValues?.value(bytes) {
            value = memoized
        } else {
            do {
                value = try self.coding.decode(StoredFrame.value(in: bytes, at: offset))
            } catch {
                throw CacheError(.decodeFailure, "the stored bytes do not decode as \(Value.self)", underlying: error)
            }
            if remembering { self.coding.decodedValues?.remember(value, bytes) }
        }
        var refresh = header.map(self.refresh(for:)) ?? .none
        if refresh == .stale && !self.isWithinGrace(header) {
            // Past grace, but the backend kept it: for stale if error, or because its own clock disagrees with
            // the freshness clock (then a miss).
            guard self.isWithinStaleAge(header) else { return nil }
            refresh = .expired
        }
        // The write time is the frame's, or, for a format that records its own (an HTTP response), the coding's.
        return (value, refresh, frame.writtenAt ?? self.coding.writtenAt?(value))
    }

    /// Counts a fresh read of a cached `nil` (``LoadPolicy/negativeTTL``) in `cache.negative_hits`.
    private func recordNegativeHit(_ value: Value, _ refresh: Refresh) {
        if self.policy.negativeTTL != nil, refresh == .none || refresh == .early,
            (value as? any OptionalValue)?.isNone == true
        {
            self.observer.metrics?.recordNegativeHit()
        }
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
        guard let header, let grace = self.gracePeriod else { return false }
        return self.configuration.freshnessClock.now() < header.freshUntil + grace
    }

    private func isWithinStaleAge(_ header: FreshnessHeader?) -> Bool {
        guard let header, let age = self.policy.maximumStaleAge.map({ min($0, Cache.maximumTTL) }) else { return false }
        return self.configuration.freshnessClock.now() < header.freshUntil + age
    }

    /// How long a value is kept past its fresh period: the longer of the grace period and the maximum stale age.
    private var keptPastFreshness: Duration {
        max(self.gracePeriod ?? .zero, min(self.policy.maximumStaleAge ?? .zero, Cache.maximumTTL))
    }

    /// The longest TTL a value of this read-through can be stored with (the largest jitter, plus what is kept past
    /// freshness): how long the backend must remember its tags. `nil` when values do not expire.
    private var longestStoredTTL: Duration? {
        guard let ttl = self.ttl else { return nil }
        let jitter = self.policy.ttlJitter ?? self.configuration.ttlJitter
        let longest = min(jitter.apply(to: min(ttl, Cache.maximumTTL), unit: 1), Cache.maximumTTL)
        return min(longest + self.keptPastFreshness, Cache.maximumTTL)
    }

    /// The policy's grace period, clamped to ``Cache/maximumTTL`` so that adding it to a time cannot overflow.
    private var gracePeriod: Duration? {
        self.policy.gracePeriod.map { min($0, Cache.maximumTTL) }
    }

    // MARK: Loading

    /// Runs the loader and stores its value, unless the coding declines it; a value too large to cache is
    /// returned all the same. The load's duration counts from `started` (by default, now).
    ///
    /// The load is guarded (``CacheBackend/beginLoad(of:tags:ttl:window:)`` before the loader runs): a removal of
    /// the key, or an invalidation of one of its tags, that happens while it runs, in any process, makes the store
    /// refuse the value, which is then returned uncached.
    ///
    /// With `guarded` (the guard a read-through's loader ran under, ``GuardedLoad/current``), the store presents
    /// that guard instead of starting one, so a removal since that loader started wins.
    nonisolated(nonsending) func loadAndStore(
        startedAt started: ContinuousClock.Instant = .now,
        guardedBy guarded: GuardedLoad? = nil,
        _ loader: () async throws -> LoadResult<Value>
    ) async throws -> Loaded {
        let token: CacheLoadToken?
        // The tags the guard was started with: the key is in their tag sets.
        let registered: [CacheTag]
        if let guarded, guarded.key == self.key {
            (token, registered) = (guarded.token, guarded.tags)
        } else {
            token = try await self.cache.beginLoad(self.key, tags: self.tags, ttl: self.longestStoredTTL)
            registered = self.tags
        }
        let result = try await GuardedLoad.$current.withValue(
            GuardedLoad(key: self.key, token: token, tags: registered)
        ) {
            try await loader()
        }
        let value = result.value
        let loadDuration = ContinuousClock.now - started
        guard result.cachesValue else { return await self.unstored(value, token: token) }
        let ttl = try self.ttl(for: result)
        let encoded: [UInt8]?
        do {
            encoded = try self.coding.encode(value)
        } catch {
            throw CacheError(.encodeFailure, "the value of type \(Value.self) did not encode", underlying: error)
        }
        guard var bytes = encoded else {
            return Loaded(value: value, source: .loaded, declined: true)
        }
        // Jittered (the policy's jitter, or the cache's) and clamped to the maximum TTL, as is the backend's TTL below.
        var storedTTL = ttl.map { self.cache.storedTTL($0, policy: self.policy) }
        if self.policy.tracksFreshness, let fresh = storedTTL {
            // The write time comes with the freshness header at no extra cost: the value is copied behind it anyway.
            let now = self.configuration.freshnessClock.now()
            let header = FreshnessHeader(freshUntil: now + fresh, loadDuration: loadDuration)
            bytes = StoredFrame(freshness: header, writtenAt: now).framing(bytes)
            storedTTL = min(fresh + self.keptPastFreshness, Cache.maximumTTL)
        } else {
            bytes = self.cache.framing(bytes)
        }
        guard let token else {
            // No guard could be set (the backend is down, and the cache fails open): storing could undo a removal.
            return Loaded(value: value, source: .loaded)
        }
        var tags = registered
        var named: [CacheTag] = []
        for tag in try self.tags + self.cache.makeTags(result.tags) where !tags.contains(tag) && !named.contains(tag) {
            named.append(tag)
        }
        if !named.isEmpty {
            // The value's own tags (and a store's tags that its guard was not started with) join the key's tag sets before the guarded store: an invalidation of one of them
            // from now on deletes the key (or its marker), and the store is refused or its value removed. A token
            // that differs from the load's means the key changed meanwhile: the store below is refused anyway.
            guard try await self.cache.beginLoad(self.key, tags: named, ttl: self.longestStoredTTL) != nil else {
                return Loaded(value: value, source: .loaded)
            }
            tags += named
        }
        do {
            // A removal in this process detaches the flight (SingleFlight.detach), so its waiters joined before any
            // removal here returned. A refusal may come from another process's write, removal or invalidation,
            // which this process's waiters may have joined after: they read the key again rather than take the
            // value. (When another process's load of the key stored first, that read finds its value.)
            let stored = try await self.cache.storeGuarded(self.key, bytes, ttl: storedTTL, tags: tags, token: token)
            return Loaded(value: value, source: .loaded, refused: stored == .refused)
        } catch {
            // A value too large to cache is already recorded on the put span and metrics; the callers still get it.
            guard error.code == .valueTooLarge else { throw error }
        }
        return await self.unstored(value, token: token)
    }

    /// A loaded value that is not stored, ending its guarded load: the callers that joined the load after it began
    /// get it only when nothing removed, invalidated or wrote the key meanwhile, in any process (else they read the
    /// key again, as after a refused store).
    private nonisolated(nonsending) func unstored(_ value: Value, token: CacheLoadToken?) async -> Loaded {
        // No guard could be set (the backend is down, and the cache fails open): nothing to check it against. No
        // flight (a refresh, or a load that coalesces nothing): no caller to hand the value to, nothing to ask.
        guard let token, self.leading != nil else { return Loaded(value: value, source: .loaded) }
        let intact: Bool
        do {
            intact = try await self.cache.core.backend.endLoad(of: self.key, token: token)
        } catch {
            // Unknown: the late joiners read again, which costs at most one more load; this caller has its value.
            intact = false
        }
        return Loaded(value: value, source: .loaded, refused: !intact)
    }

    /// The TTL a loaded result is stored for: the loader's own, else the policy's negative TTL for a `nil` value,
    /// else the call's.
    private func ttl(for result: LoadResult<Value>) throws(CacheError) -> Duration? {
        if let own = result.ttl {
            guard own > .zero else {
                throw CacheError(.invalidTTL, "the loader's time-to-live must be positive, got \(own)")
            }
            return own
        }
        if let negative = self.policy.negativeTTL, (result.value as? any OptionalValue)?.isNone == true {
            return negative
        }
        return self.ttl
    }

    /// Loads under the distributed lock when the policy has one: takes it and loads, or waits for the holder's
    /// value, or gives up after the policy's wait.
    nonisolated(nonsending) func loadCoordinated(_ loader: () async throws -> LoadResult<Value>) async throws -> Loaded
    {
        guard let settings = self.policy.lock else {
            return try await self.loadAndStore(loader)
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
                return try await self.loadAndStore(loader)
            }
            if let token {
                self.observer.endLock(span, acquired: true, waited: clock.now - start, timedOut: false)
                if attempt > 0 { self.observer.metrics?.recordLockWait(timedOut: false) }
                return try await self.holdingLock(lock, token) {
                    let loaded: Loaded
                    // After a wait, the previous holder may have stored the value just before releasing.
                    if attempt > 0, let found = try await self.read(recordingSpan: false), found.isFresh {
                        loaded = Loaded(value: found.value, source: .shared)
                    } else {
                        loaded = try await self.loadAndStore(loader)
                    }
                    // The release is a round trip. Another process may remove the key meanwhile, and a caller here
                    // that starts after that removal must not join this flight and get the value. Only a value
                    // handed on as it is: a refused or declined one sends the waiters to read again or load, which
                    // must find the lock free.
                    if !loaded.refused && !loaded.declined { self.landLeadingFlight(loaded) }
                    return loaded
                }
            }
            attempt += 1
            if clock.now - start >= settings.maximumWait {
                self.observer.metrics?.recordLockWait(timedOut: true)
                self.observer.endLock(span, acquired: false, waited: clock.now - start, timedOut: true)
                switch settings.onTimeout {
                case .load:
                    return try await self.loadAndStore(loader)
                case .fail:
                    throw CacheError(
                        .lockTimeout,
                        "waited \(settings.maximumWait) for another caller's load of the key and gave up"
                    )
                }
            }
            // Never past the maximum wait: the next turn then tries once more and gives up.
            let left = settings.maximumWait - (clock.now - start)
            try await Task.sleep(
                for: min(settings.pause(beforeAttempt: attempt, unit: self.configuration.random.nextUnit()), left))
            if let found = try await self.read(recordingSpan: false), found.isFresh {
                self.observer.metrics?.recordLockWait(timedOut: false)
                self.observer.endLock(span, acquired: false, waited: clock.now - start, timedOut: false)
                return Loaded(value: found.value, source: .shared)
            }
        }
    }

    /// Runs `body` and releases the lock whether it returns or throws.
    private nonisolated(nonsending) func holdingLock<Result>(
        _ lock: DistributedLock,
        _ token: [UInt8],
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            let result = try await body()
            await lock.release(token)
            return result
        } catch {
            await lock.release(token)
            throw error
        }
    }

    // MARK: Refreshing

    /// Claims the key's one refresh in this process; `false` when another caller is refreshing it.
    private func claimRefresh() -> Bool {
        self.cache.core.refreshes.withLock { $0.insert(self.key).inserted }
    }

    private func endRefresh() {
        _ = self.cache.core.refreshes.withLock { $0.remove(self.key) }
    }

    /// Refreshes the value under the lock when the policy has one, without waiting for it: a held lock means
    /// another process is refreshing. Returns `nil` when the lock was held. A load that runs past `timeout` is
    /// cancelled (``CacheError/Code/loaderTimeout``).
    private nonisolated(nonsending) func refreshOnce(
        _ loader: () async throws -> LoadResult<Value>,
        waitingAtMost timeout: Duration? = nil
    ) async throws -> Loaded? {
        guard let settings = self.policy.lock else {
            return try await self.load(.unlocked, loader, waitingAtMost: timeout)
        }
        let lock = DistributedLock(guarding: self.key, on: self.cache.core.backend)
        guard let token = try await lock.tryAcquire(lease: settings.lease) else { return nil }
        return try await self.holdingLock(lock, token) {
            try await self.load(.unlocked, loader, waitingAtMost: timeout)
        }
    }

    /// Starts one background refresh of the key in this process (none when one is running).
    func refreshInBackground(early: Bool, _ loader: @escaping @Sendable () async throws -> LoadResult<Value>) {
        guard self.claimRefresh() else { return }
        let core = self.cache.core
        if early { core.observer.metrics?.recordEarlyRefresh() }
        // Not a child task: the caller already has its value and must not wait, or be cancelled into, the refresh.
        Task {
            defer { self.endRefresh() }
            do {
                _ = try await self.refreshOnce(loader)
            } catch {
                core.observer.metrics?.recordRefreshFailure()
                core.observer.warnRefreshFailed(self.key, error)
            }
        }
    }

    /// Refreshes the key in the calling task when no other caller in this process is refreshing it, and returns the
    /// new value; otherwise, or when the refresh fails, returns `current` (``ReadThroughSource/hit`` for an early
    /// refresh, ``ReadThroughSource/stale`` past the TTL). Cancellation is rethrown. The caller has a value to
    /// return, so a refresh that runs past the soft timeout (else the hard one) is cancelled and counts as failed.
    nonisolated(nonsending) func refreshInline(
        early: Bool,
        current: Value,
        _ loader: () async throws -> LoadResult<Value>
    ) async throws -> ReadThroughResult<Value> {
        let kept = ReadThroughResult(value: current, source: early ? .hit : .stale)
        guard self.claimRefresh() else {
            if !early { self.observer.metrics?.recordStaleServe() }
            return kept
        }
        defer { self.endRefresh() }
        if early { self.observer.metrics?.recordEarlyRefresh() }
        do {
            let limit = self.policy.softTimeout ?? self.policy.hardTimeout
            guard let loaded = try await self.refreshOnce(loader, waitingAtMost: limit) else {
                if !early { self.observer.metrics?.recordStaleServe() }
                return kept
            }
            return ReadThroughResult(value: loaded.value, source: .loaded)
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            self.observer.metrics?.recordRefreshFailure()
            self.observer.warnRefreshFailed(self.key, error)
            if !early { self.observer.metrics?.recordStaleServe() }
            return kept
        }
    }
}
