/// The operations the cache records, named as the spans are (`cache.get`, ...). These names are a public
/// contract read by Sentry's Caches module and by dashboards.
enum CacheOperation: String, Sendable, CaseIterable {
    case get = "cache.get"
    case put = "cache.put"
    case remove = "cache.remove"
    case flush = "cache.flush"
    case invalidate = "cache.invalidate"

    /// The `operation` metric dimension.
    var metricName: String {
        switch self {
        case .get: "get"
        case .put: "put"
        case .remove: "remove"
        case .flush: "flush"
        case .invalidate: "invalidate"
        }
    }

    /// The `cache.operation` span attribute (sentry-conventions: `get`, `put` or `remove`): a flush and a tag
    /// invalidation remove entries.
    var conventionName: String {
        switch self {
        case .get: "get"
        case .put: "put"
        case .remove, .flush, .invalidate: "remove"
        }
    }
}

/// How an operation ended, as far as telemetry is concerned.
enum OperationOutcome: Sendable {
    /// A read found every key; `size` is the bytes returned. `stale`: a read-through served a value past its
    /// fresh period, within its grace period.
    /// `age`: whole seconds since the entry was written, when the entry records it (`cache.item_age`).
    case hit(size: Int, stale: Bool = false, age: Int? = nil)
    /// A read found nothing (for a batch: not every key).
    case miss(size: Int)
    /// A read found bytes that did not decode as the requested type: reported as a miss.
    case undecodable(size: Int, error: CacheError)
    /// A write; `written` says whether it stored (set-if-absent may not).
    case written(Bool, size: Int, ttl: Duration?)
    /// A delete or flush.
    case removed
    /// The backend or the input failed.
    case failed(CacheError)
}
