/// Spreads time-to-live values so that keys written together do not all expire together.
///
/// ```swift
/// let configuration = Cache.Configuration(ttlJitter: .proportional(0.1))  // 60 s becomes 54...66 s
/// ```
///
/// The jittered TTL is the one stored (Redis `PX`), reported as `cache.ttl` on the put span, and logged.
public struct TTLJitter: Sendable, Equatable {
    private enum Kind: Sendable, Equatable {
        case none
        case proportional(Double)
        case added(Duration)
    }

    private let kind: Kind

    /// TTLs are used as given.
    public static let none = TTLJitter(kind: .none)

    /// Each TTL is drawn uniformly from `[ttl * (1 - fraction), ttl * (1 + fraction)]`.
    /// - Precondition: `fraction` is in `0..<1`.
    public static func proportional(_ fraction: Double) -> TTLJitter {
        precondition(fraction >= 0 && fraction < 1, "a proportional jitter is a fraction in 0..<1, got \(fraction)")
        return TTLJitter(kind: .proportional(fraction))
    }

    /// Each TTL is lengthened by a duration drawn uniformly from `[0, maximum]`; it is never shortened.
    /// - Precondition: `maximum` is not negative.
    public static func added(upTo maximum: Duration) -> TTLJitter {
        precondition(maximum >= .zero, "the added jitter cannot be negative")
        return TTLJitter(kind: .added(maximum))
    }

    /// The TTL to store for `ttl`, with `unit` a uniform random number in `0..<1`.
    public func apply(to ttl: Duration, unit: Double) -> Duration {
        switch self.kind {
        case .none:
            return ttl
        case .proportional(let fraction):
            let factor = 1 - fraction + 2 * fraction * unit
            // At least one millisecond: a jittered TTL is always a real, positive expiry.
            return max(ttl * factor, .milliseconds(1))
        case .added(let maximum):
            return ttl + maximum * unit
        }
    }
}
