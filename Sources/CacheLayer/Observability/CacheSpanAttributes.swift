/// Span attribute names the cache writes (see the telemetry contract in the README).
enum CacheSpanAttributes {
    static let sentryOp = "sentry.op"
    static let key = "cache.key"
    static let hit = "cache.hit"
    static let itemSize = "cache.item_size"
    static let ttl = "cache.ttl"
    static let write = "cache.write"
    static let stale = "cache.stale"
    static let operation = "cache.operation"
    static let tags = "cache.tags"
    static let itemAge = "cache.item_age"
    static let lockAcquired = "cache.lock.acquired"
    static let lockWaitMilliseconds = "cache.lock.wait_ms"
    static let lockTimedOut = "cache.lock.timed_out"
    static let errorType = "error.type"
    static let responseStatusCode = "db.response.status_code"
}

extension Duration {
    /// Whole seconds, rounded to nearest, as `cache.ttl` reports them (at least 1 for any positive duration).
    var roundedSeconds: Int {
        // Through the attoseconds, which never trap (`components` does beyond `Int64.max` seconds).
        let rounded = Int(clamping: (self.attoseconds + 500_000_000_000_000_000) / 1_000_000_000_000_000_000)
        return max(rounded, self > .zero ? 1 : 0)
    }
}
