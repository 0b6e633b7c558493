#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with a condition variable whose timed waits use the monotonic clock: what a connection thread
/// needs to sleep until work arrives or a reconnect is due. (`Synchronization.Mutex` has no condition variable.)
/// On Linux the condition variable is set to the monotonic clock; on Darwin, which cannot do that, timed waits
/// use the relative wait, so neither depends on the wall clock.
///
/// `@unchecked Sendable`: the pthread objects are heap-allocated once, never moved, and only used through the
/// pthread calls, which are thread-safe by contract.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        precondition(pthread_mutex_init(self.mutex, nil) == 0)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        precondition(pthread_cond_init(self.condition, &attributes) == 0)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(self.condition)
        pthread_mutex_destroy(self.mutex)
        self.condition.deallocate()
        self.mutex.deallocate()
    }

    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        return try body()
    }

    /// Waits for a signal; call with the lock held (inside ``withLock(_:)``).
    func wait() {
        pthread_cond_wait(self.condition, self.mutex)
    }

    /// Waits for a signal or until the monotonic clock reaches `deadline` (nanoseconds); call with the lock held.
    /// May return early (spuriously): callers wait in a loop that checks the clock.
    func wait(until deadline: UInt64) {
        #if canImport(Darwin)
        // Darwin has no pthread_condattr_setclock: wait for the time left, which the relative call measures
        // itself, whatever the wall clock does.
        let now = monotonicNanoseconds()
        guard deadline > now else { return }
        let left = deadline - now
        var time = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
        pthread_cond_timedwait_relative_np(self.condition, self.mutex, &time)
        #else
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(self.condition, self.mutex, &time)
        #endif
    }

    func signal() {
        pthread_cond_signal(self.condition)
    }
}
