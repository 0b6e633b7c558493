import CacheLayer
import Synchronization

/// A clock that moves only when told to, for tests of expiry and refresh.
///
/// ```swift
/// let clock = ManualCacheClock()
/// let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
/// clock.advance(by: .seconds(61))  // every 60-second entry has expired
/// ```
public final class ManualCacheClock: CacheClock {
    private let current: Mutex<Duration>

    /// Creates a clock that starts at `start`.
    public init(start: Duration = .zero) {
        self.current = Mutex(start)
    }

    /// The time the clock was set to: `start` plus every advance so far.
    public func now() -> Duration {
        self.current.withLock { $0 }
    }

    /// Moves the clock forward by `duration`.
    /// - Precondition: `duration` is not negative (a monotonic clock never goes back).
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a monotonic clock cannot go backwards")
        self.current.withLock { $0 += duration }
    }
}
