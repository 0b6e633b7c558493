/// Where a read-through's value came from.
public enum ReadThroughSource: String, Sendable, Hashable {
    /// The cache held it, fresh.
    case hit
    /// The cache held it past its time-to-live: within the policy's grace period while another caller refreshes it,
    /// or within its maximum stale age because the load failed or timed out (then ``ReadThroughResult/loadError``
    /// says why).
    case stale
    /// This caller ran the loader (on a miss, or to refresh a stale or early-refreshed value).
    case loaded
    /// Another caller's load: a concurrent miss of the same key in this process, or, under a distributed lock, the
    /// value another process stored while this caller waited.
    case shared
}

/// A read-through's value and where it came from.
public struct ReadThroughResult<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it came from.
    public var source: ReadThroughSource
    /// Why a stale value was served instead of a loaded one (stale if error): the loader's error, or
    /// ``CacheError/Code/loaderTimeout`` when the load ran past a timeout. `nil` otherwise. An HTTP layer reads it
    /// to answer with the stored response rather than the handler's failure.
    public var loadError: (any Error)?

    /// Creates a result.
    public init(value: Value, source: ReadThroughSource, loadError: (any Error)? = nil) {
        self.value = value
        self.source = source
        self.loadError = loadError
    }
}
