/// Where a read-through's value came from.
public enum ReadThroughSource: String, Sendable, Hashable {
    /// The cache held it, fresh.
    case hit
    /// The cache held it past its time-to-live but within the policy's grace period, and another caller is
    /// refreshing it.
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

    /// Creates a result.
    public init(value: Value, source: ReadThroughSource) {
        self.value = value
        self.source = source
    }
}
