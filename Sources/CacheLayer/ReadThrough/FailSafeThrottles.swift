import Synchronization

/// The keys of one cache whose load failed and were answered with a stale value (stale if error), each with the
/// time, on the freshness clock, until which the stale value is served without trying the loader again.
///
/// In-process: each process throttles its own loads of a failing origin.
final class FailSafeThrottles: Sendable {
    private let until = Mutex<[CacheKey: Duration]>([:])

    /// Past this many keys, throttles that have run out are dropped when another is added.
    private static let pruneThreshold = 1_024

    /// Throttles loads of `key` until `deadline`.
    func throttle(_ key: CacheKey, until deadline: Duration, now: Duration) {
        self.until.withLock { until in
            if until.count >= Self.pruneThreshold {
                until = until.filter { $0.value > now }
            }
            until[key] = deadline
        }
    }

    /// Whether loads of `key` are throttled at `now`.
    func isThrottled(_ key: CacheKey, now: Duration) -> Bool {
        self.until.withLock { until in
            guard let deadline = until[key] else { return false }
            if deadline > now { return true }
            until.removeValue(forKey: key)
            return false
        }
    }

    /// Ends the throttle of `key` (a load of it succeeded).
    func clear(_ key: CacheKey) {
        _ = self.until.withLock { $0.removeValue(forKey: key) }
    }
}
