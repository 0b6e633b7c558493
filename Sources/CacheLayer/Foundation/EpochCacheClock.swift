#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time: the duration since the Unix epoch.
///
/// Read-through entries carry the moment they stop being fresh, and another process (sharing a Redis) reads that
/// moment, so freshness needs a clock every process agrees on; a monotonic clock's origin is private to its
/// process. The default freshness clock of ``Cache/Configuration``.
public struct EpochCacheClock: CacheClock {
    /// Creates the wall clock.
    public init() {}

    public func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }
}
