import CoreMetrics

/// `cache.http_invalidations` counters, one per invalidation rule and ``InvalidationOutcome``, made up front so that
/// counting only looks one up.
package struct InvalidationCounters: Sendable {
    private let counters: [String: [InvalidationOutcome: Counter]]

    package init?(factory: any MetricsFactory, rules: [String]) {
        guard !(factory is NOOPMetricsHandler), !rules.isEmpty else { return nil }
        self.counters = Dictionary(
            uniqueKeysWithValues: rules.map { rule in
                (
                    rule,
                    Dictionary(
                        uniqueKeysWithValues: InvalidationOutcome.allCases.map { outcome in
                            (
                                outcome,
                                Counter(
                                    label: "cache.http_invalidations",
                                    dimensions: [("rule", rule), ("result", outcome.rawValue)],
                                    factory: factory
                                )
                            )
                        })
                )
            })
    }

    package func count(rules: [String], _ outcome: InvalidationOutcome) {
        for rule in rules { self.counters[rule]?[outcome]?.increment() }
    }
}
