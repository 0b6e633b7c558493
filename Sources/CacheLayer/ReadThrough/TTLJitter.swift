/// Spreads time-to-live values so that keys written together do not all expire together.
///
/// ```swift
/// let configuration = Cache.Configuration(ttlJitter: .proportional(0.1))  // 60 s becomes 54...66 s
/// ```
///
/// The jittered TTL is the one stored (Redis `PX`), reported as `cache.ttl` on the put span, and logged. Like every
/// TTL, it is clamped to ``Cache/maximumTTL``.
///
/// A jitter out of range (a fraction outside `0..<1`, a negative duration), read from a configuration file say, is
/// refused with ``CacheError/Code/invalidConfiguration`` when the ``Cache`` or the ``LoadPolicy`` using it is checked
/// (``validate()``), not when it is made.
public struct TTLJitter: Sendable, Equatable {
    private enum Kind: Sendable, Equatable {
        case none
        case proportional(Double)
        case added(Duration)
    }

    private let kind: Kind

    /// TTLs are used as given.
    public static let none = TTLJitter(kind: .none)

    /// Each TTL is drawn uniformly from `[ttl * (1 - fraction), ttl * (1 + fraction)]`. `fraction` must be in
    /// `0..<1`; ``validate()`` says whether it is.
    public static func proportional(_ fraction: Double) -> TTLJitter {
        TTLJitter(kind: .proportional(fraction))
    }

    /// Each TTL is lengthened by a duration drawn uniformly from `[0, maximum]`; it is never shortened. `maximum`
    /// must not be negative; ``validate()`` says whether it is.
    public static func added(upTo maximum: Duration) -> TTLJitter {
        TTLJitter(kind: .added(maximum))
    }

    /// Checks the jitter's setting.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` for a proportional fraction outside `0..<1` (or not a
    ///   number) or a negative added maximum.
    public func validate() throws(CacheError) {
        switch self.kind {
        case .none:
            return
        case .proportional(let fraction):
            guard fraction >= 0 && fraction < 1 else {
                throw CacheError(
                    .invalidConfiguration, "ttlJitter: a proportional jitter is a fraction in 0..<1, got \(fraction)")
            }
        case .added(let maximum):
            guard maximum >= .zero else {
                throw CacheError(.invalidConfiguration, "ttlJitter: an added jitter cannot be negative, got \(maximum)")
            }
        }
    }

    /// The TTL to store for `ttl`, with `unit` a uniform random number in `0..<1`.
    ///
    /// Never traps: a setting ``validate()`` refuses is applied as the nearest valid one, a `unit` outside `0..<1`
    /// is brought into it, and the result may exceed ``Cache/maximumTTL`` (the cache clamps what it stores).
    public func apply(to ttl: Duration, unit: Double) -> Duration {
        let unit = unit.isNaN ? 0 : min(max(unit, 0), 1)
        switch self.kind {
        case .none:
            return ttl
        case .proportional(let fraction):
            let fraction = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
            let factor = 1 - fraction + 2 * fraction * unit
            // At least one millisecond: a jittered TTL is always a real, positive expiry.
            return max(min(ttl, CacheTTL.maximum) * factor, .milliseconds(1))
        case .added(let maximum):
            return min(ttl, CacheTTL.maximum) + min(max(maximum, .zero), CacheTTL.maximum) * unit
        }
    }
}
