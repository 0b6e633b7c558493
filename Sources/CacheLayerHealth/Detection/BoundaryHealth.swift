/// What the monitor has learned about one boundary: its miss rate, its new keys per minute and the share of each
/// bypass reason, and whether it is above its band now.
struct BoundaryHealth: Sendable {
    var missRate: Baseline
    var newKeysPerMinute: Baseline
    var bypassShares: [String: Baseline] = [:]
    /// Consecutive judged intervals above the band.
    var intervalsAbove = 0
    /// Whether the current run above the band was reported.
    var reported = false

    init(_ configuration: CacheHealthMonitor.Configuration) {
        self.missRate = Baseline(warmUp: configuration.warmUpIntervals, adaptation: configuration.adaptation)
        self.newKeysPerMinute = self.missRate
    }

    mutating func learn(missRate: Double, newKeysPerMinute: Double, bypassShares: [String: Double]) {
        self.missRate.learn(missRate)
        self.newKeysPerMinute.learn(newKeysPerMinute)
        let fresh = self.missRate.fresh
        for reason in Set(bypassShares.keys).union(self.bypassShares.keys) {
            self.bypassShares[reason, default: fresh].learn(bypassShares[reason] ?? 0)
        }
    }
}

extension Baseline {
    /// An empty baseline with the same settings.
    var fresh: Baseline { Baseline(warmUp: self.warmUp, adaptation: self.adaptation) }
}
