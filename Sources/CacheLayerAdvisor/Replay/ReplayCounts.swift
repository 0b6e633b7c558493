/// What one replay of a trace against one cache at one budget produced.
public struct ReplayCounts: Sendable, Hashable {
    /// Requests replayed, bypasses included.
    public var requests: Int
    /// Requests answered from the cache.
    public var hits: Int
    /// Bytes the cache held at the end, as the tier counts them (the memory tier's budget accounting, or the growth
    /// of Redis's `used_memory`); `nil` where nothing is stored (the optimum).
    public var bytesUsed: Int?
    /// Entries dropped to make room (`nil` where the tier does not say).
    public var evictions: Int?
    /// Operations that failed (a value too large for the tier, a Redis error); each counts as a miss.
    public var errors: Int

    /// Creates counts.
    public init(requests: Int, hits: Int, bytesUsed: Int?, evictions: Int?, errors: Int = 0) {
        self.requests = requests
        self.hits = hits
        self.bytesUsed = bytesUsed
        self.evictions = evictions
        self.errors = errors
    }

    /// hits / requests (0 for no requests).
    public var hitRate: Double { self.requests == 0 ? 0 : Double(self.hits) / Double(self.requests) }
}
