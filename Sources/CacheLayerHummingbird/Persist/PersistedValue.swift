/// What ``CachePersistDriver`` stores under a key: the value and when it expires, so that the driver can answer
/// `getWithTTL` and keep a value's expiry when `set` replaces it without one.
struct PersistedValue<Object: Codable>: Codable {
    /// When the value expires, in milliseconds since the Unix epoch on the cache's freshness clock; `nil`: never.
    var expiresAt: Int64?
    /// The value, encoded with the cache's codec.
    var value: Object

    /// The expiry `expires` after `now` (both on the cache's freshness clock), to the millisecond.
    static func expiry(after expires: Duration, now: Duration) -> Int64 {
        let (sum, overflow) = Self.milliseconds(now).addingReportingOverflow(Self.milliseconds(expires))
        return overflow ? Int64.max : sum
    }

    /// The time `self` has left at `now`: `nil` when it never expires, zero or less when it has expired.
    func timeToLive(at now: Duration) -> Duration? {
        self.expiresAt.map { .milliseconds($0) - .milliseconds(Self.milliseconds(now)) }
    }

    /// `duration` in whole milliseconds, saturating (a duration too long for them is `Int64.max`, for a positive one).
    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        guard !overflow else { return seconds < 0 ? Int64.min : Int64.max }
        let (total, sumOverflow) = milliseconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return sumOverflow ? Int64.max : total
    }
}

/// The expiry of a ``PersistedValue`` of any type, read without decoding its value.
struct PersistedExpiry: Decodable {
    /// As ``PersistedValue/expiresAt``.
    var expiresAt: Int64?
}
