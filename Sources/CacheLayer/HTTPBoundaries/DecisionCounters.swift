import CoreMetrics

/// `cache.boundary_decisions` counters, one per boundary and decision, all made up front so that a decision
/// only looks its counter up.
struct DecisionCounters: Sendable {
    /// By endpoint index (then `none`, for requests no endpoint matched), then ``BoundaryDecision/ordinal``.
    private let counters: [[Counter]]

    init?(factory: any MetricsFactory, endpoints: [CacheEndpoint]) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        self.counters = (endpoints.map(\.name) + ["none"]).map { boundary in
            BoundaryDecision.names.map { decision in
                Counter(
                    label: "cache.boundary_decisions",
                    dimensions: [("boundary", boundary), ("decision", decision)],
                    factory: factory
                )
            }
        }
    }

    /// Counts `decision`, made by the endpoint at index `boundary` (the endpoints' count for `none`).
    func count(_ decision: BoundaryDecision, boundary: Int) {
        self.counters[boundary][decision.ordinal].increment()
    }
}
