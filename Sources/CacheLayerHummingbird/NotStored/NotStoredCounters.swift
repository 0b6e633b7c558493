import CoreMetrics

/// `cache.responses_not_stored` counters, one per boundary and ``NotStoredReason``, made up front so that counting
/// only looks one up.
struct NotStoredCounters: Sendable {
    private let counters: [String: [NotStoredReason: Counter]]

    init?(factory: any MetricsFactory, boundaries: [String]) {
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

    func count(boundary: String, _ reason: NotStoredReason) {
        self.counters[boundary]?[reason]?.increment()
    }
}
