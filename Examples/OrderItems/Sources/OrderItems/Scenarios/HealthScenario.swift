/// What happens to the order-items endpoint in one stretch of the health scenarios' replay: steady traffic, or one
/// of the changes the cache health monitor must notice, each with the cause it should name.
public enum HealthScenario: String, Sendable, CaseIterable {
    /// The seeded visit mix, unchanged, at pages 1-3: no anomaly may be raised.
    case steady
    /// A deploy whose client sends a fresh `request_id` with every request; the scenarios' boundary keeps unknown
    /// parameters in the key, so every cached request gets a key of its own and misses.
    case volatileParameter = "volatile-parameter"
    /// A release of the admin UI that opens the list on the on-hold tab, oldest first: the visits that used the
    /// defaults now carry filters outside the common set, and bypass the cache.
    case filterChange = "filter-change"
    /// A restart with a memory budget too small for pages 1-3: entries are evicted long before their TTL.
    case smallBudget = "small-budget"

    /// What it is, for a person.
    public var title: String {
        switch self {
        case .steady: "steady traffic"
        case .volatileParameter: "deploy: a request_id in every key"
        case .filterChange: "filter change: on-hold tab, oldest first"
        case .smallBudget: "budget too small for pages 1-3"
        }
    }

    /// The cause the monitor should name (the `kind` of its anomaly); `nil` when it must stay quiet.
    public var expectedCause: String? {
        switch self {
        case .steady: nil
        case .volatileParameter: "key_cardinality"
        case .filterChange: "bypass"
        case .smallBudget: "evictions"
        }
    }

    /// The visit as this scenario's clients make it.
    public func visit(_ visit: Visit) -> Visit {
        guard self == .filterChange else { return visit }
        var query = visit.query
        if query.status == nil { query.status = .onHold }
        if query.sort == .newest { query.sort = .oldest }
        return Visit(query)
    }

    /// The path and query this scenario sends for `visit` (already passed through ``visit(_:)``), the `index`th
    /// request of the replay.
    public func target(for visit: Visit, index: Int) -> String {
        guard self == .volatileParameter else { return visit.target }
        let separator = visit.query.parameters.isEmpty ? "?" : "&"
        return visit.target + separator + "request_id=r\(index)"
    }
}
