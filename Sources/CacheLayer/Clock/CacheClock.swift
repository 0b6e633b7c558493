/// A time source, injectable so tests can move time by hand.
///
/// Backends read a monotonic one (``SystemCacheClock``) to expire entries; read-through freshness reads a wall
/// clock (``EpochCacheClock``) because other processes read the same entries.
public protocol CacheClock: Sendable {
    /// The time elapsed since the clock's fixed origin.
    func now() -> Duration
}

extension CacheClock {
    /// ``now()`` in whole nanoseconds, the resolution backends store deadlines in.
    func nanosecondsNow() -> UInt64 {
        self.now().clampedNanoseconds
    }
}

extension Duration {
    /// The duration in whole milliseconds, truncated toward zero.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole nanoseconds, clamped to `0...UInt64.max`.
    var clampedNanoseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (secondsPart, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, overflowSum) = secondsPart.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflowSum ? .max : total
    }
}
