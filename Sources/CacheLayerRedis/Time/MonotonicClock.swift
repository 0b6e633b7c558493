#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The monotonic clock in nanoseconds: the time base of deadlines that must not follow the wall clock (a
/// connection thread's waits, ``ConditionLock/wait(until:)``, the breaker's cool-down, the cluster's refresh
/// interval).
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
