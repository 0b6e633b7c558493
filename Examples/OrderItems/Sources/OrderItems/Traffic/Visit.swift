/// One page view the replayer sends: `GET /admin/order-items` with this query.
public struct Visit: Sendable, Hashable {
    /// What is asked for.
    public var query: OrderItemsQuery

    /// Creates a visit.
    public init(_ query: OrderItemsQuery) {
        self.query = query
    }

    /// The path and query, as a browser would send them.
    public var target: String {
        let parameters = self.query.parameters
        guard !parameters.isEmpty else { return OrderItemsBoundary.path }
        return OrderItemsBoundary.path + "?" + parameters.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }
}
