/// A figure's normal level and spread, learned from the intervals it is fed: plain mean and variance during the
/// warm-up, then exponentially weighted averages that adapt slowly (by `adaptation` per interval).
struct Baseline: Sendable {
    private(set) var mean = 0.0
    private(set) var variance = 0.0
    private(set) var samples = 0
    let warmUp: Int
    let adaptation: Double

    init(warmUp: Int, adaptation: Double) {
        self.warmUp = warmUp
        self.adaptation = adaptation
    }

    /// Whether enough intervals were seen to judge one.
    var isWarm: Bool { self.samples >= self.warmUp }

    var standardDeviation: Double { self.variance.squareRoot() }

    mutating func learn(_ value: Double) {
        self.samples += 1
        let delta = value - self.mean
        if self.samples <= max(self.warmUp, 1) {
            // Welford: the exact mean and (population) variance of the warm-up.
            self.mean += delta / Double(self.samples)
            self.variance += (delta * (value - self.mean) - self.variance) / Double(self.samples)
        } else {
            self.mean += self.adaptation * delta
            self.variance = (1 - self.adaptation) * (self.variance + self.adaptation * delta * delta)
        }
    }

    /// Forgets everything: the next value starts a new warm-up.
    mutating func reset() {
        self = Baseline(warmUp: self.warmUp, adaptation: self.adaptation)
    }
}
