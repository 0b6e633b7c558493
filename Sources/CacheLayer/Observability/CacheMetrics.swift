import CoreMetrics

/// A cache's metric instruments, made once when the cache is made.
///
/// Dimensions are low-cardinality only: `cache` (the namespace), `operation` and `result` (`hit`, `miss`, `ok`,
/// `error`). Never a key.
struct CacheMetrics: Sendable {
    /// The instruments of one operation.
    private struct Instruments: Sendable {
        /// `hit` for reads, `ok` for everything else.
        let success: Counter
        /// `miss`, for reads only.
        let miss: Counter?
        let error: Counter
        let duration: Timer
        let itemSize: Recorder?

        init(_ operation: CacheOperation, cacheName: String, factory: any MetricsFactory) {
            let dimensions = [("cache", cacheName), ("operation", operation.metricName)]
            func requests(_ result: String) -> Counter {
                Counter(label: "cache.requests", dimensions: dimensions + [("result", result)], factory: factory)
            }
            let isRead = operation == .get
            self.success = requests(isRead ? "hit" : "ok")
            self.miss = isRead ? requests("miss") : nil
            self.error = requests("error")
            self.duration = Timer(label: "cache.duration", dimensions: dimensions, factory: factory)
            self.itemSize =
                isRead || operation == .put
                ? Recorder(label: "cache.item_size", dimensions: dimensions, factory: factory) : nil
        }
    }

    private let get: Instruments
    private let put: Instruments
    private let remove: Instruments
    private let flush: Instruments
    private let invalidate: Instruments
    private let invalidatedTags: Counter
    private let discardedLoads: Counter
    private let queuedInvalidations: Counter
    private let replayedInvalidations: Counter
    private let collapsedInvalidations: Counter
    private let decodeFailures: Counter
    private let loads: Counter
    private let coalescedLoads: Counter
    private let staleServes: Counter
    private let staleIfErrorServes: Counter
    private let negativeHits: Counter
    private let earlyRefreshes: Counter
    private let refreshFailures: Counter
    private let lockWaits: Counter
    private let lockTimeouts: Counter

    /// Returns `nil` for the no-op factory, so an unobserved cache does no metric work.
    init?(factory: any MetricsFactory, cacheName: String) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        self.get = Instruments(.get, cacheName: cacheName, factory: factory)
        self.put = Instruments(.put, cacheName: cacheName, factory: factory)
        self.remove = Instruments(.remove, cacheName: cacheName, factory: factory)
        self.flush = Instruments(.flush, cacheName: cacheName, factory: factory)
        self.invalidate = Instruments(.invalidate, cacheName: cacheName, factory: factory)
        self.invalidatedTags = Counter(
            label: "cache.invalidated_tags", dimensions: [("cache", cacheName)], factory: factory)
        self.discardedLoads = Counter(
            label: "cache.discarded_loads", dimensions: [("cache", cacheName)], factory: factory)
        self.queuedInvalidations = Counter(
            label: "cache.failed_invalidations", dimensions: [("cache", cacheName), ("result", "queued")],
            factory: factory)
        self.replayedInvalidations = Counter(
            label: "cache.failed_invalidations", dimensions: [("cache", cacheName), ("result", "replayed")],
            factory: factory)
        self.collapsedInvalidations = Counter(
            label: "cache.failed_invalidations", dimensions: [("cache", cacheName), ("result", "collapsed")],
            factory: factory)
        self.decodeFailures = Counter(
            label: "cache.decode_failures", dimensions: [("cache", cacheName)], factory: factory)
        self.loads = Counter(label: "cache.loads", dimensions: [("cache", cacheName)], factory: factory)
        self.coalescedLoads = Counter(
            label: "cache.coalesced_loads", dimensions: [("cache", cacheName)], factory: factory)
        self.staleServes = Counter(label: "cache.stale_serves", dimensions: [("cache", cacheName)], factory: factory)
        self.staleIfErrorServes = Counter(
            label: "cache.stale_if_error_serves", dimensions: [("cache", cacheName)], factory: factory)
        self.negativeHits = Counter(label: "cache.negative_hits", dimensions: [("cache", cacheName)], factory: factory)
        self.earlyRefreshes = Counter(
            label: "cache.early_refreshes", dimensions: [("cache", cacheName)], factory: factory)
        self.refreshFailures = Counter(
            label: "cache.refresh_failures", dimensions: [("cache", cacheName)], factory: factory)
        self.lockWaits = Counter(label: "cache.lock_waits", dimensions: [("cache", cacheName)], factory: factory)
        self.lockTimeouts = Counter(label: "cache.lock_timeouts", dimensions: [("cache", cacheName)], factory: factory)
    }

    /// Counts a `getOrLoad` miss: one that ran the loader, or one that waited for another caller's load.
    func recordLoad(coalesced: Bool) {
        (coalesced ? self.coalescedLoads : self.loads).increment()
    }

    /// Counts the tags of a tag invalidation that reached the backend.
    func recordInvalidatedTags(_ count: Int) { self.invalidatedTags.increment(by: count) }

    /// Counts a load whose value was not stored because a removal or invalidation of its key or tags came first.
    func recordDiscardedLoad() { self.discardedLoads.increment() }

    /// Counts a failed removal or invalidation kept for replay (`queued`), one replayed once the backend answered
    /// (`replayed`), and a queue that overflowed and became one flush of the namespace (`collapsed`).
    func recordFailedInvalidation(_ result: FailedInvalidations.Event) {
        switch result {
        case .queued: self.queuedInvalidations.increment()
        case .replayed: self.replayedInvalidations.increment()
        case .collapsed: self.collapsedInvalidations.increment()
        }
    }

    /// Counts a read-through that served a stale value (and started a background refresh).
    func recordStaleServe() { self.staleServes.increment() }

    /// Counts a stale value served because its load failed or timed out (or within the throttle after one did).
    func recordStaleIfErrorServe() { self.staleIfErrorServes.increment() }

    /// Counts a read-through hit of a cached `nil` (negative caching), apart from other hits.
    func recordNegativeHit() { self.negativeHits.increment() }

    /// Counts a read-through that started a probabilistic early refresh of a fresh value.
    func recordEarlyRefresh() { self.earlyRefreshes.increment() }

    /// Counts a background refresh whose load or store failed (the stale value stays until its grace ends).
    func recordRefreshFailure() { self.refreshFailures.increment() }

    /// Counts a caller that found the distributed lock held and waited; `timedOut` when it gave up waiting.
    func recordLockWait(timedOut: Bool) {
        self.lockWaits.increment()
        if timedOut { self.lockTimeouts.increment() }
    }

    func record(_ operation: CacheOperation, outcome: OperationOutcome, nanoseconds: Int64) {
        let instruments =
            switch operation {
            case .get: self.get
            case .put: self.put
            case .remove: self.remove
            case .flush: self.flush
            case .invalidate: self.invalidate
            }
        switch outcome {
        case .hit(let size, _, _):
            instruments.success.increment()
            instruments.itemSize?.record(size)
        case .miss:
            instruments.miss?.increment()
        case .undecodable:
            instruments.miss?.increment()
            self.decodeFailures.increment()
        case .written(_, let size, _):
            instruments.success.increment()
            instruments.itemSize?.record(size)
        case .removed:
            instruments.success.increment()
        case .failed:
            instruments.error.increment()
        }
        instruments.duration.recordNanoseconds(nanoseconds)
    }
}
