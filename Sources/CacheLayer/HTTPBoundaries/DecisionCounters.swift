import CoreMetrics

/// `cache.boundary_decisions` counters, one per boundary and decision, all made up front so that a decision
/// only looks its counter up.
struct DecisionCounters: Sendable {
    /// Boundary name (`none` for requests no endpoint matched), then decision name.
    private let counters: [String: [String: Counter]]

    init?(factory: any MetricsFactory, endpoints: [CacheEndpoint]) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        let decisions = ["cache"] + BypassReason.all.map(\.name)
        var counters: [String: [String: Counter]] = [:]
        for boundary in endpoints.map(\.name) + ["none"] {
            counters[boundary] = Dictionary(
                uniqueKeysWithValues: decisions.map { decision in
                    (
                        decision,
                        Counter(
                            label: "cache.boundary_decisions",
                            dimensions: [("boundary", boundary), ("decision", decision)],
                            factory: factory
                        )
                    )
                })
        }
        self.counters = counters
    }

    func count(_ decision: BoundaryDecision) {
        self.counters[decision.boundaryName]?[decision.name]?.increment()
    }
}
