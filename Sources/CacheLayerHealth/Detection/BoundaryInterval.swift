import CacheLayer

/// One boundary's activity between two readings.
struct BoundaryInterval: Sendable {
    /// Decisions of every kind.
    let requests: Int
    /// Requests not served from the cache (misses and bypasses) over all requests.
    let missRate: Double
    /// Distinct keys that appeared, per minute.
    let newKeysPerMinute: Double
    /// Each bypass reason's share of the requests.
    let bypassShares: [String: Double]
    let latency: AnomalyLatency

    /// `nil` when the counters went backwards (the boundaries were made anew).
    init?(_ current: BoundaryStatistics, since earlier: BoundaryStatistics, minutes: Double) {
        var decisions: [String: Int] = [:]
        for (name, count) in current.decisions {
            let delta = count - (earlier.decisions[name] ?? 0)
            guard delta >= 0 else { return nil }
            if delta > 0 { decisions[name] = delta }
        }
        let hits = current.hits - earlier.hits
        guard hits >= 0 else { return nil }
        self.requests = decisions.values.reduce(0, +)
        guard self.requests > 0 else {
            self.missRate = 0
            self.newKeysPerMinute = 0
            self.bypassShares = [:]
            self.latency = AnomalyLatency(p95: nil, p95Hit: nil, p95Miss: nil)
            return
        }
        let total = Double(self.requests)
        self.missRate = min(max(1 - Double(hits) / total, 0), 1)
        self.newKeysPerMinute = Double(max(current.distinctKeys - earlier.distinctKeys, 0)) / max(minutes, 1e-9)
        self.bypassShares = decisions.filter { $0.key != "cache" }.mapValues { Double($0) / total }
        let hitLatency = current.hitLatency.subtracting(earlier.hitLatency)
        let missLatency = current.missLatency.subtracting(earlier.missLatency)
        self.latency = AnomalyLatency(
            p95: hitLatency.adding(missLatency).percentile(0.95),
            p95Hit: hitLatency.percentile(0.95),
            p95Miss: missLatency.percentile(0.95)
        )
    }
}

/// The cache-wide rates between two readings: the memory tier's and the Redis server's.
struct SharedRates: Sendable {
    var expirationsPerMinute: Double?
    var evictionsPerMinute: Double?
    var serverEvictionsPerMinute: Double?
    /// `used_memory / maxmemory` now, when Redis has a limit.
    var serverMemoryFill: Double?

    init(_ earlier: CacheHealthReading, _ current: CacheHealthReading, minutes: Double) {
        func perMinute(_ now: Int?, _ before: Int?) -> Double? {
            guard let now, let before, now >= before, minutes > 0 else { return nil }
            return Double(now - before) / minutes
        }
        self.expirationsPerMinute = perMinute(current.memoryTier?.expirations, earlier.memoryTier?.expirations)
        self.evictionsPerMinute = perMinute(current.memoryTier?.evictions, earlier.memoryTier?.evictions)
        self.serverEvictionsPerMinute = perMinute(
            current.server?.evictedKeys.map { Int($0) }, earlier.server?.evictedKeys.map { Int($0) })
        if let used = current.server?.usedMemory, let max = current.server?.maxMemory, max > 0 {
            self.serverMemoryFill = Double(used) / Double(max)
        }
    }
}
