import Synchronization

/// One boundary's live counters behind ``BoundaryStatistics``: a lock around a few integers, two latency histograms
/// and a key sketch. A decision takes the lock once (and hashes its key when it is cached), which is small next to
/// making the key.
final class BoundaryTally: Sendable {
    private struct Counts {
        /// By ``BoundaryDecision/ordinal``.
        var decisions = [Int](repeating: 0, count: BoundaryDecision.names.count)
        var hits = 0
        var misses = 0
        var keys = DistinctCountSketch()
        var hitLatency = LatencyHistogram()
        var missLatency = LatencyHistogram()
    }

    private let counts = Mutex(Counts())

    func count(_ decision: BoundaryDecision) {
        let key = decision.key
        self.counts.withLock { counts in
            counts.decisions[decision.ordinal] += 1
            if let key { counts.keys.insert(key) }
        }
    }

    func countRead(servedFromCache: Bool, cached: Bool, duration: Duration) {
        let nanoseconds = duration.clampedNanoseconds
        self.counts.withLock { counts in
            if servedFromCache {
                counts.hitLatency.record(nanoseconds: nanoseconds)
            } else {
                counts.missLatency.record(nanoseconds: nanoseconds)
            }
            guard cached else { return }
            if servedFromCache { counts.hits += 1 } else { counts.misses += 1 }
        }
    }

    var snapshot: BoundaryStatistics {
        self.counts.withLock { counts in
            BoundaryStatistics(
                decisions: Dictionary(
                    uniqueKeysWithValues: zip(BoundaryDecision.names, counts.decisions).filter { $0.1 > 0 }),
                hits: counts.hits,
                misses: counts.misses,
                distinctKeys: counts.keys.estimate,
                hitLatency: counts.hitLatency,
                missLatency: counts.missLatency
            )
        }
    }
}
