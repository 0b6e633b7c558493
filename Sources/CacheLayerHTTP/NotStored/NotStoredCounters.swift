import CoreMetrics

/// `cache.responses_not_stored` counters, one per boundary and ``NotStoredReason``, made up front so that counting
/// only looks one up.
package struct NotStoredCounters: Sendable {
    private let counters: [String: [NotStoredReason: Counter]]

    package init?(factory: any MetricsFactory, boundaries: [String]) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        self.counters = Dictionary(
            uniqueKeysWithValues: boundaries.map { boundary in
                (
                    boundary,
                    Dictionary(
                        uniqueKeysWithValues: NotStoredReason.all.map { reason in
                            (
                                reason,
                                Counter(
                                    label: "cache.responses_not_stored",
                                    dimensions: [("boundary", boundary), ("reason", reason.name)],
                                    factory: factory
                                )
                            )
                        })
                )
            })
    }

    package func count(boundary: String, _ reason: NotStoredReason) {
        self.counters[boundary]?[reason]?.increment()
    }
}
