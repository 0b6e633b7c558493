/// How much a cache may hold: bytes (what a deployment sets) or a number of objects (what the optimum and the
/// check against a naive model of the memory tier's eviction use).
public enum CacheCapacity: Sendable, Hashable {
    /// At most this many bytes, counted as the tier counts them.
    case bytes(Int)
    /// At most this many entries, whatever their size.
    case objects(Int)
}
