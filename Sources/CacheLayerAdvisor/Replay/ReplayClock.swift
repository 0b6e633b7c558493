import CacheLayer
import Synchronization

/// The replay's virtual time: it moves only when the replay advances it, one request's share of a second per
/// request, so that entries expire as they would have in the recorded traffic, however fast the replay runs.
///
/// The advisor's own clock rather than `CacheLayerTesting`'s `ManualCacheClock`: a tool users run does not link a
/// test-doubles product.
final class ReplayClock: CacheClock {
    private let current = Mutex(Duration.zero)

    func now() -> Duration {
        self.current.withLock { $0 }
    }

    /// Moves the clock forward by `step` (not negative).
    func advance(by step: Duration) {
        self.current.withLock { $0 += max(step, .zero) }
    }
}
