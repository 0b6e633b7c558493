import CoreMetrics
import Synchronization
import Tracing

/// A cache client: typed and raw reads and writes under one namespace, over any ``CacheBackend``.
///
/// Every call is recorded as a `cache.get`, `cache.put`, `cache.remove` or `cache.flush` span with the
/// attributes Sentry's Caches module and OpenTelemetry tools read, counted and timed through swift-metrics, and
/// logged at debug level; all of it costs next to nothing when no tracer, metrics or log handler is set up.
///
/// ```swift
/// let cache = try Cache(namespace: "products", backend: MemoryBackend(byteBudget: 64 << 20))
/// try await cache.put("product:42", value: product, ttl: .seconds(60))
/// let cached = try await cache.get("product:42", as: Product.self)
/// ```
///
/// `Cache` is a value type; copies share the backend.
public struct Cache: Sendable {
    /// What every copy of a cache shares. One reference, so that an async call keeps one object alive rather than
    /// retaining each field of a large struct.
    final class Core: Sendable {
        let namespace: CacheNamespace
        let configuration: Configuration
        let backend: any CacheBackend
        let observer: OperationObserver
        /// The loads in flight in this process, one per key, shared by `getOrLoad` and `readThrough` callers.
        let flights = SingleFlight()
        /// Keys whose load failed and were answered with a stale value, and until when the stale value is served
        /// without loading again.
        let failSafeThrottles = FailSafeThrottles()
        /// Keys with a background refresh in flight in this process: at most one each.
        let refreshes = Mutex<Set<CacheKey>>([])
        /// Removals and invalidations that failed while the cache fails open, kept for replay.
        let failedInvalidations: FailedInvalidations

        init(
            namespace: CacheNamespace, configuration: Configuration, backend: any CacheBackend,
            observer: OperationObserver
        ) {
            self.namespace = namespace
            self.configuration = configuration
            self.backend = backend
            self.observer = observer
            self.failedInvalidations = FailedInvalidations(limit: configuration.failedInvalidationLimit)
        }
    }

    let core: Core

    /// The namespace this cache reads and writes, and the `cache` dimension of its metrics.
    public var namespace: CacheNamespace { self.core.namespace }
    /// The configuration the cache was made with.
    public var configuration: Configuration { self.core.configuration }

    /// Now on the configuration's ``Configuration/freshnessClock``, without copying the configuration (as reading
    /// ``configuration`` from another module does): for the integrations' hit paths.
    package func freshnessNow() -> Duration { self.core.configuration.freshnessClock.now() }

    /// The tracer this cache's spans go to now (the one it was made with, or, with per-call resolution, the one in
    /// force); `nil` when spans are off. For an integration that annotates the caller's span, such as the request's.
    package var tracerInForce: (any Tracer)? { self.core.observer.currentTracer() }

    /// Creates a cache over `backend` whose keys live under `namespace`.
    /// - Throws: ``CacheError/Code/invalidNamespace`` for a bad namespace, ``CacheError/Code/invalidConfiguration``
    ///   for a non-positive maximum key length, a jitter out of range or a bad load policy.
    public init(namespace: String, backend: any CacheBackend, configuration: Configuration = .init()) throws(CacheError)
    {
        guard configuration.maximumKeyLength > 0 else {
            throw CacheError(
                .invalidConfiguration,
                "maximumKeyLength must be positive, got \(configuration.maximumKeyLength)"
            )
        }
        try configuration.ttlJitter.validate()
        try configuration.loadPolicy.validate()
        let namespace = try CacheNamespace(namespace)
        let observer = OperationObserver(
            cacheName: namespace.name,
            tracer: configuration.tracer
                ?? (configuration.resolvesTracerPerCall ? nil : InstrumentationSystem.tracer),
            keyCapture: configuration.keyCapture,
            logger: configuration.logger,
            metrics: CacheMetrics(
                factory: configuration.metricsFactory ?? MetricsSystem.factory, cacheName: namespace.name),
            backend: backend
        )
        self.core = Core(
            namespace: namespace,
            configuration: configuration,
            backend: backend,
            observer: observer
        )
    }

    // MARK: Raw bytes

    /// Returns the bytes stored under `key`, exactly as they were put, or `nil` on a miss. The bytes are the backend's
    /// own (no copy is made for the in-memory backend), except for the few values the cache had to frame (see
    /// ``putBytes(_:_:ttl:tags:)``). A value that a read-through keeps past its TTL is a miss, as for ``get(_:as:)``.
    @inlinable
    public nonisolated(nonsending) func getBytes(_ key: String) async throws(CacheError) -> [UInt8]? {
        // Inlined into the caller: a read answered at once makes no async frame.
        if let answered = try self.getBytesWithoutSuspending(key) { return answered }
        return try await self.readBytes(key)
    }

    /// The answer of ``getBytes(_:)-(String)`` when nothing records the call and the tier answers without
    /// suspending: ``read(_:observed:_:)`` less its span, metrics and the closure that decides between fresh and stale
    /// (a plain read returns only fresh values), so that an unobserved read costs what the backend's does
    /// (Benchmarks/README.md, the facade). `nil`: take ``readBytes(_:)``. It returns no key for that: the key would be
    /// a copy (two retains and two releases) on every read answered here.
    @usableFromInline
    func getBytesWithoutSuspending(_ key: String) throws(CacheError) -> [UInt8]?? {
        let cacheKey = try self.makeKey(key)
        guard self.core.observer.isUnobserved, !self.core.failedInvalidations.isPending,
            let found = self.core.backend.getWithoutSuspending(cacheKey)
        else { return nil }
        guard let bytes = found else { return .some(nil) }
        guard bytes.first == StoredFrame.marker else { return bytes }  // unframed: the value as put
        return .some(StoredFrame.freshValue(bytes, now: self.configuration.freshnessClock.now())?.value)
    }

    /// ``getBytes(_:)-(String)`` through the general read: observed, and over any tier.
    @usableFromInline
    nonisolated(nonsending) func readBytes(_ key: String) async throws(CacheError) -> [UInt8]? {
        let cacheKey = try self.makeKey(key)
        return try await self.read(cacheKey) { bytes in
            StoredFrame.freshValue(bytes, now: self.configuration.freshnessClock.now()).map {
                ($0.value, false, $0.writtenAt)
            }
        }?.value
    }

    /// Returns the bytes stored under each key, in order. The span counts a hit only when every key was found.
    public nonisolated(nonsending) func getBytes(_ keys: [String]) async throws(CacheError) -> [[UInt8]?] {
        let cacheKeys = try keys.map { (key) throws(CacheError) in try self.makeKey(key) }
        let operation = self.core.observer.begin(.get, keys: .many(cacheKeys))
        do {
            let values = try await self.core.backend.get(cacheKeys).map { stored in
                stored.flatMap { StoredFrame.freshValue($0, now: self.configuration.freshnessClock.now())?.value }
            }
            if let operation {
                let size = values.reduce(0) { $0 + ($1?.count ?? 0) }
                let allFound = !values.isEmpty && values.allSatisfy { $0 != nil }
                self.core.observer.end(operation, allFound ? .hit(size: size) : .miss(size: size))
            }
            return values
        } catch {
            try self.recover(from: error, operation, .get, keys: .many(cacheKeys))
            return Array(repeating: nil, count: keys.count)
        }
    }

    /// Stores `bytes` under `key` for `ttl` (`nil`: until evicted; longer than ``maximumTTL``: for ``maximumTTL``).
    ///
    /// The bytes are stored as they are, unless they begin with the byte `0xCA`, which marks the cache's framed
    /// values: those are stored behind a two-byte frame, so that a reader never mistakes them for a value with a
    /// freshness header; with ``Configuration/recordsItemAge``, every value is stored behind a 10-byte frame that
    /// holds its write time. Every read of the cache returns them unchanged.
    /// - Throws: ``CacheError/Code/invalidKey``, ``CacheError/Code/invalidTTL``,
    ///   ``CacheError/Code/valueTooLarge``; backend failures only when ``Configuration/failOpen`` is `false`.
    ///
    /// With `tags`, the entry is removed by ``invalidate(tags:)`` of any of them.
    public nonisolated(nonsending) func putBytes(
        _ key: String, _ bytes: [UInt8], ttl: Duration? = nil, tags: [String] = []
    ) async throws(CacheError) {
        let cacheKey = try self.makeKey(key)
        try self.validate(ttl: ttl)
        let cacheTags = try self.makeTags(tags)
        try await self.store(
            cacheKey, self.framing(bytes), ttl: ttl.map { self.storedTTL($0) }, tags: cacheTags)
    }

    // MARK: Removal

    /// Removes `key`. Returns whether a value was there.
    ///
    /// A load of the key in flight (`getOrLoad`, `readThrough`, in this process or another sharing the backend) when
    /// the removal happens does not store its value. A removal that fails because the backend is down is kept and
    /// replayed when it is back, before the cache reads from it again (``Configuration/failOpen``).
    @discardableResult
    public nonisolated(nonsending) func remove(_ key: String) async throws(CacheError) -> Bool {
        let cacheKey = try self.makeKey(key)
        // A caller that misses after this returns loads afresh rather than join a load that began before it.
        defer { self.core.flights.detach(cacheKey) }
        let operation = self.core.observer.begin(.remove, keys: .one(cacheKey))
        do {
            let removed = try await self.core.backend.delete(cacheKey)
            if let operation { self.core.observer.end(operation, .removed) }
            return removed
        } catch {
            self.keepForReplay(.key(cacheKey), after: error)
            try self.recover(from: error, operation, .remove, keys: .one(cacheKey))
            return false
        }
    }

    /// Removes every key of this cache's namespace, and nothing else on the backend. Loads in flight do not store
    /// their values; a failure is kept for replay, as for ``remove(_:)``.
    public nonisolated(nonsending) func removeAll() async throws(CacheError) {
        defer { self.core.flights.detachAll() }
        let operation = self.core.observer.begin(.flush, keys: .none)
        do {
            try await self.core.backend.deleteAll(in: self.core.namespace)
            if let operation { self.core.observer.end(operation, .removed) }
        } catch {
            self.keepForReplay(.namespace, after: error)
            try self.recover(from: error, operation, .flush, keys: .none)
        }
    }

    // MARK: Shared paths

    /// Reads `key` as a `cache.get` (none when `observed` is `false`). `judge` turns the bytes into a value,
    /// whether it is stale and when it was written (if known: the span's `cache.item_age`), or returns `nil` for
    /// bytes that count as a miss; when it throws, the read is a miss that is counted and logged as undecodable.
    @inline(__always)
    nonisolated(nonsending) func read<Value>(
        _ cacheKey: CacheKey,
        observed: Bool = true,
        _ judge: ([UInt8]) throws(CacheError) -> (value: Value, stale: Bool, writtenAt: Duration?)?
    ) async throws(CacheError) -> (value: Value, stale: Bool, writtenAt: Duration?)? {
        var held: HeldRead?
        return try await self.read(cacheKey, observed: observed, holdingStale: false, &held) {
            (bytes, _) throws(CacheError) -> (value: Value, stale: Bool, writtenAt: Duration?)? in try judge(bytes)
        }
    }

    /// A `cache.get` whose outcome is decided after the read: a stale value kept for stale if error is a hit only
    /// if it is served.
    struct HeldRead {
        let operation: OperationObserver.Operation
        let size: Int
        /// Whole seconds since the value was written, when its frame or coding says.
        let age: Int?
    }

    /// ``read(_:observed:_:)``; with `holdingStale`, the span of a read that found a stale value is left open and
    /// handed back in `held`, for the caller to end (as a hit or a miss) once it knows whether it serves it. With
    /// `prefetched`, what a read without suspending found just before stands for the backend's answer, unless a
    /// failed removal had to be replayed since (then the backend is read again). `judge` is also told whether the
    /// bytes are the backend's own storage, handed out without suspending (the in-memory tier's): only those are
    /// worth remembering by identity (``DecodedValueMemo``).
    @inline(__always)
    nonisolated(nonsending) func read<Value>(
        _ cacheKey: CacheKey,
        observed: Bool,
        holdingStale: Bool,
        prefetched: PrefetchedRead? = nil,
        _ held: inout HeldRead?,
        _ judge: (_ bytes: [UInt8], _ handedOut: Bool) throws(CacheError) -> (
            value: Value, stale: Bool, writtenAt: Duration?
        )?
    ) async throws(CacheError) -> (value: Value, stale: Bool, writtenAt: Duration?)? {
        let operation = observed ? self.core.observer.begin(.get, keys: .one(cacheKey)) : nil
        var handedOut = true
        let bytes: [UInt8]?
        var prefetched = prefetched
        if self.core.failedInvalidations.isPending {
            guard await self.replayFailedInvalidations() else {
                // A removal that failed is not replayed yet: the backend may still hold what it removes.
                if let operation { self.core.observer.end(operation, .miss(size: 0)) }
                return nil
            }
            prefetched = nil
        }
        if let prefetched {
            bytes = prefetched.bytes
        } else if let found = self.core.backend.getWithoutSuspending(cacheKey) {
            bytes = found
        } else {
            do {
                bytes = try await self.core.backend.get(cacheKey)
                handedOut = false
            } catch {
                try self.recover(from: error, operation, .get, keys: .one(cacheKey))
                return nil
            }
        }
        guard let bytes else {
            if let operation { self.core.observer.end(operation, .miss(size: 0)) }
            return nil
        }
        do {
            guard let found = try judge(bytes, handedOut) else {
                if let operation { self.core.observer.end(operation, .miss(size: 0)) }
                return nil
            }
            if let operation {
                let age = found.writtenAt.map(self.age(since:))
                if holdingStale && found.stale {
                    held = HeldRead(operation: operation, size: bytes.count, age: age)
                } else {
                    self.core.observer.end(operation, .hit(size: bytes.count, stale: found.stale, age: age))
                }
            }
            return found
        } catch {
            // Observed or not, an undecodable value is counted and logged.
            self.core.observer.end(
                operation ?? self.core.observer.forced(.get, keys: .one(cacheKey)),
                .undecodable(size: bytes.count, error: error)
            )
            return nil
        }
    }

    /// Stores `bytes` for exactly `ttl` (already jittered), with `tags`, recording a `cache.put`. Nothing is
    /// written while a failed removal waits for replay and cannot be replayed yet. With `onlyIfAbsent` (and no
    /// tags), nothing is written over a live value either. Returns whether the bytes were stored.
    @discardableResult
    nonisolated(nonsending) func store(
        _ key: CacheKey, _ bytes: [UInt8], ttl: Duration?, tags: [CacheTag] = [], onlyIfAbsent: Bool = false
    ) async throws(CacheError) -> Bool {
        assert(!onlyIfAbsent || tags.isEmpty, "backends have no tagged set-if-absent")
        // A caller that misses after this returns loads afresh rather than join a load that began before it.
        defer { self.core.flights.detach(key) }
        let operation = self.core.observer.begin(.put, keys: .one(key), tags: tags.map(\.name))
        if self.core.failedInvalidations.isPending, await !self.replayFailedInvalidations() {
            if let operation { self.core.observer.end(operation, .written(false, size: bytes.count, ttl: ttl)) }
            return false
        }
        do {
            let written: Bool
            if onlyIfAbsent {
                written = try await self.core.backend.setIfAbsent(key, to: bytes, ttl: ttl)
            } else if tags.isEmpty {
                try await self.core.backend.set(key, to: bytes, ttl: ttl)
                written = true
            } else {
                try await self.core.backend.set(key, to: bytes, ttl: ttl, tags: tags)
                written = true
            }
            if let operation { self.core.observer.end(operation, .written(written, size: bytes.count, ttl: ttl)) }
            return written
        } catch {
            try self.recover(from: error, operation, .put, keys: .one(key))
            return false
        }
    }

    /// Records a failed operation, then rethrows the error unless the cache fails open and it is a backend failure.
    func recover(
        from error: CacheError,
        _ operation: OperationObserver.Operation?,
        _ kind: CacheOperation,
        keys: @autoclosure () -> OperationObserver.Keys
    ) throws(CacheError) {
        self.core.observer.end(operation, .failed(error), kind: kind, keys: keys())
        guard self.core.configuration.failOpen && error.isBackendFailure else { throw error }
    }

    /// The backend key for `key`, after checking its length. Inlined into every call; the error is built out of line.
    @inline(__always)
    func makeKey(_ key: String) throws(CacheError) -> CacheKey {
        let length = key.utf8.count
        guard length > 0 && length <= self.core.configuration.maximumKeyLength else {
            throw self.invalidKey(length: length)
        }
        return CacheKey(namespace: self.core.namespace, key: key)
    }

    private func invalidKey(length: Int) -> CacheError {
        length == 0
            ? CacheError(.invalidKey, "the key is empty")
            : CacheError(
                .invalidKey,
                "the key is \(length) bytes long; the limit is \(self.core.configuration.maximumKeyLength)"
            )
    }

    /// The longest time-to-live the cache stores: 100 years of 365 days (3,153,600,000 s, `876000h` in a boundaries
    /// file). A longer TTL (`.seconds(Int64.max)` for "as long as possible"), after jitter, or plus a grace period,
    /// is stored as this one.
    ///
    /// Every backend holds it exactly: Redis `PX` takes it in milliseconds with centuries to spare, the memory tier's
    /// nanosecond deadlines reach 584 years, and a freshness header's fresh-until time (milliseconds since the epoch)
    /// stays far inside `Int64`.
    public static let maximumTTL: Duration = CacheTTL.maximum

    /// The bytes to store for a value written without a freshness header: its write time in front when the cache
    /// records item ages (``Configuration/recordsItemAge``), else the value itself (see ``StoredFrame``).
    @inline(__always)
    func framing(_ bytes: [UInt8]) -> [UInt8] {
        guard self.core.configuration.recordsItemAge else { return StoredFrame.framingPlain(bytes) }
        return StoredFrame(writtenAt: self.core.configuration.freshnessClock.now()).framing(bytes)
    }

    /// Whole seconds from `writtenAt` to now on the freshness clock, clamped at zero (`cache.item_age`: another
    /// process's clock may run ahead of this one's) and at ``maximumTTL`` (a time a coding read from hostile bytes
    /// may be anything).
    func age(since writtenAt: Duration) -> Int {
        let elapsed = self.core.configuration.freshnessClock.now() - writtenAt
        guard elapsed > .zero else { return 0 }
        return Int(min(elapsed, Self.maximumTTL).components.seconds)
    }

    /// The TTL stored for a requested `ttl`: spread by the jitter of `policy` (a read-through's) or else the
    /// cache's ``Configuration/ttlJitter``, clamped to ``maximumTTL``. The one place a jitter is chosen and applied,
    /// and a TTL limited; the TTL is clamped before the jitter too, so no arithmetic on it can overflow.
    func storedTTL(_ ttl: Duration, policy: LoadPolicy? = nil) -> Duration {
        let jitter = policy?.ttlJitter ?? self.core.configuration.ttlJitter
        let asked = min(ttl, Self.maximumTTL)
        guard jitter != .none else { return asked }
        return min(jitter.apply(to: asked, unit: self.core.configuration.random.nextUnit()), Self.maximumTTL)
    }

    func validate(ttl: Duration?) throws(CacheError) {
        if let ttl, ttl <= .zero {
            throw CacheError(.invalidTTL, "the time-to-live must be positive, got \(ttl)")
        }
    }
}
