/// How `getOrLoad` protects the source of truth from stampedes beyond in-process coalescing: a lock shared by
/// every process on the backend, stale-while-revalidate, and probabilistic early refresh.
///
/// ```swift
/// let policy = LoadPolicy(
///     lock: .init(lease: .seconds(5), maximumWait: .seconds(2)),
///     gracePeriod: .seconds(30),
///     earlyRefresh: .init(beta: 1)
/// )
/// let report = try await cache.getOrLoad(key: "report:today", ttl: .seconds(60), policy: policy) {
///     try await buildReport()
/// }
/// ```
///
/// Entries written under a grace period or early refresh carry a small header (when they stop being fresh, how
/// long their load took); every read (`get`, `getBytes`, `getOrLoad`, `readThrough`) returns the value without it.
/// A grace period longer than ``Cache/maximumTTL`` counts as that long, and the backend keeps an entry for at most
/// ``Cache/maximumTTL`` in all.
public struct LoadPolicy: Sendable {
    /// The distributed lock around a load; `nil` (the default) loads without one.
    public var lock: Lock?
    /// How long after its time-to-live an entry may still be served while one background refresh replaces it
    /// (stale-while-revalidate); `nil` (the default) serves nothing stale.
    public var gracePeriod: Duration?
    /// Probabilistic refresh before expiry (XFetch); `nil` (the default) refreshes only once the entry is stale.
    public var earlyRefresh: EarlyRefresh?

    /// How this load's TTL is spread; `nil` (the default) uses the cache's ``Cache/Configuration/ttlJitter``.
    public var ttlJitter: TTLJitter?

    /// Stale if error: how long after its time-to-live an entry is kept (the backend holds it that long) to be
    /// served when a load of it throws or times out; `nil` (the default) keeps nothing for that. Past it, the error
    /// reaches the caller. Needs a time-to-live.
    public var maximumStaleAge: Duration?
    /// After a failed load was answered with a stale value, how long that value keeps being served without trying
    /// the loader again, so that a failing origin is not hammered. 30 seconds by default.
    public var failSafeThrottle: Duration
    /// The soft loader timeout: once a load has run this long, callers that have a stale value to fall back on
    /// (``maximumStaleAge``) get it, while the load goes on in the background and stores its value when it ends.
    /// `nil` (the default) waits for the load. Needs ``maximumStaleAge``; shorter than ``hardTimeout``.
    public var softTimeout: Duration?
    /// The hard loader timeout: past it, callers get the stale value (within ``maximumStaleAge``) or
    /// ``CacheError/Code/loaderTimeout``, and a `getOrLoad` load is cancelled. `nil` (the default) waits for the
    /// load.
    public var hardTimeout: Duration?
    /// Negative caching: how long a `nil` a loader returned (a read-through of an optional value: "not found") is
    /// kept, instead of the call's TTL; `nil` (the default) keeps it as long as any value. Hits of a cached `nil`
    /// are counted in `cache.negative_hits` as well.
    public var negativeTTL: Duration?

    /// Creates a policy. The default is in-process coalescing only.
    public init(
        lock: Lock? = nil,
        gracePeriod: Duration? = nil,
        earlyRefresh: EarlyRefresh? = nil,
        ttlJitter: TTLJitter? = nil,
        maximumStaleAge: Duration? = nil,
        failSafeThrottle: Duration = .seconds(30),
        softTimeout: Duration? = nil,
        hardTimeout: Duration? = nil,
        negativeTTL: Duration? = nil
    ) {
        self.lock = lock
        self.gracePeriod = gracePeriod
        self.earlyRefresh = earlyRefresh
        self.ttlJitter = ttlJitter
        self.maximumStaleAge = maximumStaleAge
        self.failSafeThrottle = failSafeThrottle
        self.softTimeout = softTimeout
        self.hardTimeout = hardTimeout
        self.negativeTTL = negativeTTL
    }

    /// Whether entries need the freshness header.
    var tracksFreshness: Bool { self.gracePeriod != nil || self.earlyRefresh != nil || self.maximumStaleAge != nil }

    /// A lock taken with `SET key token NX PX lease` and released with an owner-checked delete, so that across
    /// every process one caller loads a missing key while the others wait for its value.
    public struct Lock: Sendable, Equatable {
        /// What a caller does when it waited `maximumWait` and neither got the lock nor saw the value land.
        public enum TimeoutBehaviour: Sendable, Equatable {
            /// Load without the lock (the source sees one more load; the caller gets its value).
            case load
            /// Throw ``CacheError/Code/lockTimeout``.
            case fail
        }

        /// How long the lock lives if its holder never releases it (a crashed process): after it, another caller
        /// takes over. Longer than the slowest load you expect.
        public var lease: Duration
        /// The longest a caller waits for another holder's value.
        public var maximumWait: Duration
        /// The first pause between polls; it doubles up to `maximumRetryInterval`, each pause drawn at random
        /// between half and all of it so that waiters do not poll in step.
        public var retryInterval: Duration
        /// The longest pause between polls.
        public var maximumRetryInterval: Duration
        /// What happens after `maximumWait`.
        public var onTimeout: TimeoutBehaviour

        /// Creates lock settings.
        public init(
            lease: Duration = .seconds(10),
            maximumWait: Duration = .seconds(5),
            retryInterval: Duration = .milliseconds(10),
            maximumRetryInterval: Duration = .milliseconds(200),
            onTimeout: TimeoutBehaviour = .load
        ) {
            self.lease = lease
            self.maximumWait = maximumWait
            self.retryInterval = retryInterval
            self.maximumRetryInterval = maximumRetryInterval
            self.onTimeout = onTimeout
        }

        /// The pause before poll number `attempt` (from 1), with `unit` uniform in `0..<1`.
        func pause(beforeAttempt attempt: Int, unit: Double) -> Duration {
            var pause = self.retryInterval
            for _ in 1..<max(attempt, 1) where pause < self.maximumRetryInterval {
                pause *= 2
            }
            pause = min(pause, self.maximumRetryInterval)
            return pause * (0.5 + unit / 2)
        }
    }

    /// Checks that every duration is positive and the jitter in range, naming the first setting that is not.
    func validate() throws(CacheError) {
        if let gracePeriod, gracePeriod <= .zero {
            throw CacheError(.invalidConfiguration, "the grace period must be positive, got \(gracePeriod)")
        }
        if let lock {
            try Self.requirePositive(lock.lease, "lease")
            try Self.requirePositive(lock.maximumWait, "maximumWait")
            try Self.requirePositive(lock.retryInterval, "retryInterval")
            try Self.requirePositive(lock.maximumRetryInterval, "maximumRetryInterval")
        }
        if let earlyRefresh, !(earlyRefresh.beta > 0 && earlyRefresh.beta.isFinite) {
            throw CacheError(
                .invalidConfiguration, "the early refresh's beta must be positive, got \(earlyRefresh.beta)")
        }
        try self.ttlJitter?.validate()
        try self.validateFailSafe()
    }

    /// Checks the stale-if-error and timeout settings, naming the first that is out of range or inconsistent.
    private func validateFailSafe() throws(CacheError) {
        for (value, name) in [
            (self.maximumStaleAge, "maximumStaleAge"), (Optional(self.failSafeThrottle), "failSafeThrottle"),
            (self.softTimeout, "softTimeout"), (self.hardTimeout, "hardTimeout"), (self.negativeTTL, "negativeTTL"),
        ] {
            if let value, value <= .zero {
                throw CacheError(.invalidConfiguration, "\(name) must be positive, got \(value)")
            }
        }
        if let softTimeout {
            guard self.maximumStaleAge != nil else {
                throw CacheError(
                    .invalidConfiguration,
                    "softTimeout needs maximumStaleAge: without a stale value to serve, callers wait for the load")
            }
            if let hardTimeout, softTimeout >= hardTimeout {
                throw CacheError(
                    .invalidConfiguration,
                    "softTimeout (\(softTimeout)) must be shorter than hardTimeout (\(hardTimeout))")
            }
        }
    }

    /// Checks the settings that depend on the load's time-to-live.
    func validate(ttl: Duration?) throws(CacheError) {
        if ttl == nil, self.maximumStaleAge != nil {
            throw CacheError(
                .invalidConfiguration,
                "maximumStaleAge needs a time-to-live: an entry that never expires is never stale")
        }
    }

    private static func requirePositive(_ value: Duration, _ name: String) throws(CacheError) {
        guard value > .zero else {
            throw CacheError(.invalidConfiguration, "the lock's \(name) must be positive, got \(value)")
        }
    }
}
