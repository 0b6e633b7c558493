#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Probabilistic early refresh (XFetch, Vattani et al., "Optimal Probabilistic Cache Stampede Prevention"):
/// a read refreshes a fresh entry in the background when `now - delta * beta * ln(random) >= expiry`, where
/// `delta` is how long the entry's last load took.
///
/// Entries whose load is slow start refreshing earlier; the chance rises as expiry nears, so one reader, not all
/// of them, usually refreshes before the entry goes stale.
public struct EarlyRefresh: Sendable, Equatable {
    /// Above 1 refreshes earlier, below 1 later. Positive.
    public var beta: Double

    /// Creates the policy.
    public init(beta: Double = 1) {
        self.beta = beta
    }

    /// Whether a read at `now` of an entry fresh until `freshUntil`, whose load took `loadDuration`, refreshes it.
    /// `unit` is uniform in `0..<1`.
    func shouldRefresh(now: Duration, freshUntil: Duration, loadDuration: Duration, unit: Double) -> Bool {
        guard loadDuration > .zero else { return false }
        // -ln(u) for u in (0, 1]: exponentially distributed with mean 1.
        let draw = -log(1 - (unit.isNaN ? 0 : min(max(unit, 0), 0x1.fffffffffffffp-1)))
        // In seconds as Doubles: `loadDuration * (beta * draw)` as a Duration overflows for a large beta.
        let lead = (loadDuration / .seconds(1)) * self.beta * draw
        return lead >= (freshUntil - now) / .seconds(1)
    }
}
