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
    /// The duration in whole milliseconds, truncated toward zero, clamped to `Int64`'s range. Unlike
    /// `components`, it never traps, however long the duration.
    var wholeMilliseconds: Int64 {
        Int64(clamping: self.attoseconds / 1_000_000_000_000_000)
    }

    /// The duration in whole nanoseconds, clamped to `0...UInt64.max`.
    var clampedNanoseconds: UInt64 {
        UInt64(clamping: max(self.attoseconds / 1_000_000_000, 0))
    }
}
