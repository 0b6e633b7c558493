import CacheLayer

/// The monitor's judgement, without clocks or reporting: fed one reading per interval, it learns each boundary's
/// baselines and returns the anomalies that start in this interval.
struct HealthEvaluator: Sendable {
    let configuration: CacheHealthMonitor.Configuration
    private var previous: (reading: CacheHealthReading, at: Duration)?
    private var boundaries: [String: BoundaryHealth] = [:]
    private var expirationsPerMinute: Baseline
    private var evictionsPerMinute: Baseline
    private var serverEvictionsPerMinute: Baseline
    /// Each boundary's interval in the last ``evaluate(_:at:)``, beside its band (warm-up intervals included).
    private(set) var lastBands: [BoundaryBand] = []

    init(configuration: CacheHealthMonitor.Configuration) {
        self.configuration = configuration
        let empty = Baseline(warmUp: configuration.warmUpIntervals, adaptation: configuration.adaptation)
        self.expirationsPerMinute = empty
        self.evictionsPerMinute = empty
        self.serverEvictionsPerMinute = empty
    }

    /// Judges the interval since the previous reading, learns from it when it was normal, and returns the anomalies
    /// it starts (an anomaly is reported once, when it starts, however long it lasts).
    mutating func evaluate(_ reading: CacheHealthReading, at now: Duration) -> [CacheAnomaly] {
        defer { self.previous = (reading, now) }
        self.lastBands = []
        guard let previous = self.previous, now > previous.at else { return [] }
        let minutes = Double((now - previous.at).attoseconds) / 60e18
        let memoryTier = SharedRates(previous.reading, reading, minutes: minutes)
        var anomalies: [CacheAnomaly] = []
        var anyAbove = false
        for (name, current) in reading.boundaries.sorted(by: { $0.key < $1.key }) where name != "none" {
            let interval = BoundaryInterval(
                current, since: previous.reading.boundaries[name] ?? BoundaryStatistics(), minutes: minutes)
            guard let interval, interval.requests >= self.configuration.minimumRequests else { continue }
            var health = self.boundaries[name] ?? BoundaryHealth(self.configuration)
            defer { self.boundaries[name] = health }
            guard health.missRate.isWarm else {
                self.lastBands.append(
                    BoundaryBand(
                        boundary: name, at: now, requests: interval.requests, missRate: interval.missRate,
                        expectedMissRate: health.missRate.mean, upperBound: nil))
                health.learn(
                    missRate: interval.missRate, newKeysPerMinute: interval.newKeysPerMinute,
                    bypassShares: interval.bypassShares)
                continue
            }
            let upper = self.upperBound(health.missRate, requests: interval.requests)
            self.lastBands.append(
                BoundaryBand(
                    boundary: name, at: now, requests: interval.requests, missRate: interval.missRate,
                    expectedMissRate: health.missRate.mean, upperBound: upper))
            guard interval.missRate > upper else {
                health.intervalsAbove = 0
                health.reported = false
                health.learn(
                    missRate: interval.missRate, newKeysPerMinute: interval.newKeysPerMinute,
                    bypassShares: interval.bypassShares)
                continue
            }
            anyAbove = true
            health.intervalsAbove += 1
            if health.intervalsAbove >= self.configuration.confirmations, !health.reported {
                health.reported = true
                anomalies.append(
                    CacheAnomaly(
                        boundary: name,
                        causes: self.causes(interval, health, memoryTier),
                        missRate: interval.missRate,
                        expectedMissRate: health.missRate.mean,
                        upperBound: upper,
                        requests: interval.requests,
                        latency: interval.latency,
                        detectedAt: now
                    ))
            }
            if health.intervalsAbove >= self.configuration.relearnAfter {
                health = BoundaryHealth(self.configuration)
            }
        }
        if !anyAbove {
            if let rate = memoryTier.expirationsPerMinute { self.expirationsPerMinute.learn(rate) }
            if let rate = memoryTier.evictionsPerMinute { self.evictionsPerMinute.learn(rate) }
            if let rate = memoryTier.serverEvictionsPerMinute { self.serverEvictionsPerMinute.learn(rate) }
        }
        return anomalies
    }

    /// The top of the band: the baseline plus `deviations` times the larger of the learned spread and the binomial
    /// spread of a miss rate over `requests`, plus the minimum rise.
    func upperBound(_ baseline: Baseline, requests: Int) -> Double {
        let rate = min(max(baseline.mean, 0), 1)
        let binomial = (rate * (1 - rate) / Double(max(requests, 1))).squareRoot()
        return baseline.mean + self.configuration.deviations * max(baseline.standardDeviation, binomial)
            + self.configuration.minimumRise
    }

    private func causes(
        _ interval: BoundaryInterval, _ health: BoundaryHealth, _ shared: SharedRates
    ) -> [AnomalyCause] {
        var causes: [AnomalyCause] = []
        if let cause = self.rise(
            AnomalyCause.keyCardinality, "new keys", interval.newKeysPerMinute, health.newKeysPerMinute)
        {
            causes.append(cause)
        }
        for (reason, share) in interval.bypassShares.sorted(by: { $0.key < $1.key }) {
            let baseline = health.bypassShares[reason]?.mean ?? 0
            let shift = share - baseline
            guard shift >= self.configuration.bypassShift else { continue }
            causes.append(
                AnomalyCause(
                    name: AnomalyCause.bypass,
                    evidence: "\(reason) \(Self.percent(share)) of requests, baseline \(Self.percent(baseline))",
                    strength: shift / self.configuration.bypassShift
                ))
        }
        if let rate = shared.expirationsPerMinute,
            let cause = self.rise(AnomalyCause.expirations, "TTL expirations", rate, self.expirationsPerMinute)
        {
            causes.append(cause)
        }
        if let rate = shared.evictionsPerMinute,
            let cause = self.rise(
                AnomalyCause.evictions, "memory-tier evictions before TTL", rate, self.evictionsPerMinute)
        {
            causes.append(cause)
        }
        if let rate = shared.serverEvictionsPerMinute,
            let cause = self.rise(AnomalyCause.evictions, "Redis evicted_keys", rate, self.serverEvictionsPerMinute)
        {
            causes.append(cause)
        }
        if let fill = shared.serverMemoryFill, fill >= self.configuration.serverMemoryPressure {
            causes.append(
                AnomalyCause(
                    name: AnomalyCause.evictions,
                    evidence: "Redis used_memory at \(Self.percent(fill)) of maxmemory",
                    strength: fill / self.configuration.serverMemoryPressure
                ))
        }
        return causes.sorted { $0.strength > $1.strength }
    }

    /// A cause when `rate` (per minute) rose above its baseline by the cause factor, the minimum rate and the
    /// band's deviations; `nil` otherwise, or when the baseline is still warming up.
    private func rise(_ name: String, _ what: String, _ rate: Double, _ baseline: Baseline) -> AnomalyCause? {
        guard baseline.isWarm else { return nil }
        let allowance = max(
            baseline.mean * self.configuration.causeFactor,
            baseline.mean + self.configuration.minimumCauseRate,
            baseline.mean + self.configuration.deviations * baseline.standardDeviation
        )
        guard rate >= allowance else { return nil }
        return AnomalyCause(
            name: name,
            evidence: "\(what) \(Self.whole(rate))/min, baseline \(Self.whole(baseline.mean))/min",
            strength: rate / max(allowance, 1)
        )
    }

    private static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }
    private static func whole(_ value: Double) -> String { "\(Int(value.rounded()))" }
}
