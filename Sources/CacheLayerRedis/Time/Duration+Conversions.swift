#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Durations as the numbers the rest of the module needs: whole nanoseconds (monotonic deadlines, the breaker's
/// cool-down, `PX` milliseconds) and a `timeval` (hiredis's timeouts), clamped so no conversion ever traps.
extension Duration {
    /// The longest duration the conversions below represent: `Int64.max` nanoseconds (about 292 years). Longer
    /// durations are clamped to it, so a deadline (now + duration, in `UInt64` nanoseconds) never overflows.
    static let longestConvertible = Duration.nanoseconds(Int64.max)

    /// Whole nanoseconds, clamped to `0...UInt64(Int64.max)`: zero for zero or negative durations, the maximum for
    /// anything longer. Never traps: the range is checked before `components` is read, and `components` traps on
    /// durations of more than `Int64.max` seconds.
    var nanoseconds: UInt64 {
        guard self > .zero else { return 0 }
        guard self < Self.longestConvertible else { return UInt64(Int64.max) }
        let (seconds, attoseconds) = self.components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// The duration as a `timeval` for hiredis, rounded up to the next microsecond: a positive duration shorter
    /// than a microsecond becomes 1 µs, never a zero `timeval`, which hiredis and the socket options read as "no
    /// timeout". Zero or negative durations give a zero `timeval`; configurations refuse them before they get here.
    var timeval: timeval {
        let microseconds = (self.nanoseconds + 999) / 1_000
        return .init(tv_sec: .init(microseconds / 1_000_000), tv_usec: .init(microseconds % 1_000_000))
    }
}
