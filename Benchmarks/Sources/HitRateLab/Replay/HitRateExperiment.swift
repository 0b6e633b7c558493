import CacheLayer
@_spi(Benchmarks) import CacheLayerAdvisor

/// Replays a workload's variants at every budget on the memory tier, on Redis (when given) and as Belady's optimum,
/// and collects one ``HitRateRow`` per measurement.
///
/// Rows come in a fixed order (variant, then tier: memory policies in ``memoryPolicies`` order, Redis policies,
/// optimum; then budget ascending), so the same inputs give the same CSV; only the Redis rows vary between runs (Redis
/// evicts by random sampling).
public struct HitRateExperiment: Sendable {
    /// One variant of the workload: a trace and its name (empty when the workload has one).
    public struct Variant: Sendable {
        /// The name, such as `pages 1-3`.
        public var name: String
        /// The requests.
        public var trace: RequestTrace

        /// Creates a variant.
        public init(name: String, trace: RequestTrace) {
            self.name = name
            self.trace = trace
        }
    }

    /// The workload's name for the `workload` column.
    public var workload: String
    /// The variants.
    public var variants: [Variant]
    /// The budgets, in bytes.
    public var budgets: [Int]
    /// How the memory tier runs (its eviction policy is replaced by each of ``memoryPolicies`` in turn).
    public var memory: MemoryTierReplay
    /// The memory tier's eviction policies to compare: by default every one `MemoryBackend` offers.
    public var memoryPolicies: [MemoryBackend.EvictionPolicy]
    /// The Redis runs, or `nil` for none.
    public var redis: RedisTierReplay?
    /// Whether to compute the optimum.
    public var includeOptimum: Bool

    /// Creates an experiment.
    public init(
        workload: String,
        variants: [Variant],
        budgets: [Int],
        memory: MemoryTierReplay = MemoryTierReplay(namespace: "hitrate"),
        memoryPolicies: [MemoryBackend.EvictionPolicy] = MemoryBackend.EvictionPolicy.allCases,
        redis: RedisTierReplay? = nil,
        includeOptimum: Bool = true
    ) {
        self.workload = workload
        self.variants = variants
        self.budgets = budgets
        self.memory = memory
        self.memoryPolicies = memoryPolicies
        self.redis = redis
        self.includeOptimum = includeOptimum
    }

    /// The results, and the Redis server's facts when Redis was used.
    public struct Results: Sendable {
        /// Every measurement.
        public var rows: [HitRateRow]
        /// What the Redis server was, when one was used.
        public var redis: RedisTierReplay.ServerFacts?
    }

    /// Runs everything.
    /// - Throws: ``HitRateLabError`` for a budget of zero or less, or whatever the Redis runs throw.
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws(HitRateLabError) -> Results {
        guard !self.budgets.isEmpty else { throw HitRateLabError(.invalidArgument, "no budget given") }
        for budget in self.budgets where budget <= 0 {
            throw HitRateLabError(
                .invalidArgument, "the budget \(budget) is not positive; every budget must be at least 1 byte")
        }
        let budgets = self.budgets.sorted()
        var redisRuns: [RedisTierReplay.Run] = []
        var facts: RedisTierReplay.ServerFacts?
        if let redis = self.redis {
            (facts, redisRuns) = try await redis.run(
                traces: self.variants.map(\.trace), budgets: budgets, progress: progress)
        }
        var rows: [HitRateRow] = []
        for (index, variant) in self.variants.enumerated() {
            func row(
                _ tier: HitRateRow.Tier, _ policy: String, _ budget: Int, _ counts: ReplayCounts, capacity: Int? = nil
            ) -> HitRateRow {
                HitRateRow(
                    workload: self.workload, variant: variant.name, tier: tier, policy: policy, budget: budget,
                    capacityObjects: capacity, counts: counts)
            }
            for policy in self.memoryPolicies {
                var memory = self.memory
                memory.evictionPolicy = policy
                for budget in budgets {
                    let counts = try await HitRateLabError.mapping { () async throws(AdvisorError) in
                        try await memory.run(variant.trace, capacity: .bytes(budget))
                    }
                    progress(
                        "  memory \(policy.rawValue) at \(ByteCount.format(budget))\(variant.name.isEmpty ? "" : ", \(variant.name)"): hit rate \(NumberText.fixed(counts.hitRate * 100, decimals: 2))%"
                    )
                    rows.append(row(.memory, policy.rawValue, budget, counts))
                }
            }
            for policy in self.redis?.policies ?? [] {
                for run in redisRuns where run.traceIndex == index && run.policy == policy {
                    rows.append(row(.redis, policy, run.budget, run.counts))
                }
            }
            if self.includeOptimum {
                let meanCost = Self.meanEntryCost(variant.trace, namespace: self.memory.namespace)
                for budget in budgets {
                    let capacity = meanCost > 0 ? Int(Double(budget) / meanCost) : 0
                    rows.append(
                        row(
                            .optimum, "belady", budget, BeladyOptimum.run(variant.trace, capacity: capacity),
                            capacity: capacity))
                }
            }
        }
        return Results(rows: rows, redis: facts)
    }

    /// The mean budget cost of the trace's distinct cached keys (each at its first requested size), as
    /// `MemoryBackend` counts it: namespace, key, value and per-entry overhead. 0 when nothing is cacheable.
    public static func meanEntryCost(_ trace: RequestTrace, namespace: String) -> Double {
        var sizes = [Int32](repeating: -1, count: trace.keys.count)
        for request in trace.requests where request.isCacheable && sizes[Int(request.key)] < 0 {
            sizes[Int(request.key)] = request.size
        }
        guard let namespace = try? CacheNamespace(namespace) else { return 0 }
        var total = 0
        var count = 0
        for (key, size) in zip(trace.keys, sizes) where size >= 0 {
            total += MemoryBackend.cost(of: CacheKey(namespace: namespace, key: key), valueCount: Int(size))
            count += 1
        }
        return count == 0 ? 0 : Double(total) / Double(count)
    }
}
