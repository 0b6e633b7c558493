import CacheLayerAdvisor

/// One line of the results: one tier (and policy) at one budget on one workload variant.
public struct HitRateRow: Sendable, Hashable {
    /// Where the numbers come from.
    public enum Tier: String, Sendable, Hashable {
        /// The in-process `MemoryBackend`.
        case memory
        /// A real redis-server.
        case redis
        /// Belady's optimum, computed from the trace.
        case optimum
    }

    /// The workload's description (`zipf`, `pagination`, `trace`).
    public var workload: String
    /// The variant of the workload, such as `pages 1-3` for a pagination boundary; empty when there is one.
    public var variant: String
    /// The tier.
    public var tier: Tier
    /// The eviction policy: the memory tier's `MemoryBackend.EvictionPolicy` (`w-tinylfu`, `s3-fifo`,
    /// `second-chance`), Redis's `maxmemory-policy`, `belady` for the optimum.
    public var policy: String
    /// The memory budget, in bytes.
    public var budget: Int
    /// The object capacity the optimum was computed for (`nil` for the other tiers).
    public var capacityObjects: Int?
    /// What was measured.
    public var counts: ReplayCounts

    /// Creates a row.
    public init(
        workload: String, variant: String, tier: Tier, policy: String, budget: Int, capacityObjects: Int?,
        counts: ReplayCounts
    ) {
        self.workload = workload
        self.variant = variant
        self.tier = tier
        self.policy = policy
        self.budget = budget
        self.capacityObjects = capacityObjects
        self.counts = counts
    }

    /// The name of the line this row belongs to in a chart: `memory s3-fifo`, `redis allkeys-lfu, pages 1-3`.
    public var seriesName: String {
        let base = self.tier == .optimum ? "optimum (Belady)" : "\(self.tier.rawValue) \(self.policy)"
        return self.variant.isEmpty ? base : "\(base), \(self.variant)"
    }
}
