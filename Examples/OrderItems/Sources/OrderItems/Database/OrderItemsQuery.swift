/// One page of the order-items listing: which page, which status (or all), which order.
public struct OrderItemsQuery: Sendable, Hashable {
    /// Items per page.
    public static let pageSize = 50
    /// The deepest page the endpoint serves; deeper requests are refused rather than scanned.
    public static let deepestPage = 10_000

    /// The page, counting from 1.
    public var page: Int
    /// Only items of orders in this status; `nil` for all.
    public var status: OrderStatus?
    /// The ordering.
    public var sort: OrderItemsSort

    /// Creates a query.
    public init(page: Int = 1, status: OrderStatus? = nil, sort: OrderItemsSort = .newest) {
        self.page = page
        self.status = status
        self.sort = sort
    }

    /// Reads `page`, `status` and `sort` from query parameters (absent: page 1, all statuses, newest first); a
    /// `request_id` is accepted and ignored.
    /// - Throws: ``OrderItemsQueryError`` naming the parameter when a value is not one the endpoint knows.
    public init(parameters: [(name: String, value: String)]) throws(OrderItemsQueryError) {
        self.init()
        for (name, value) in parameters {
            switch name {
            case "page":
                guard let page = Int(value), (1...Self.deepestPage).contains(page) else {
                    throw OrderItemsQueryError(parameter: name, value: value, expected: "1...\(Self.deepestPage)")
                }
                self.page = page
            case "status":
                guard let status = OrderStatus(rawValue: value) else {
                    let known = OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    throw OrderItemsQueryError(parameter: name, value: value, expected: known)
                }
                self.status = status
            case "sort":
                guard let sort = OrderItemsSort(rawValue: value) else {
                    let known = OrderItemsSort.allCases.map(\.rawValue).joined(separator: ", ")
                    throw OrderItemsQueryError(parameter: name, value: value, expected: known)
                }
                self.sort = sort
            case "request_id":
                break  // the client's correlation id (the health scenarios' deploy sends one): never changes the page
            default:
                throw OrderItemsQueryError(parameter: name, value: value, expected: "no such parameter")
            }
        }
    }

    /// The query parameters that ask for this page (page 1, all statuses and newest are left out, as a browser's
    /// links would).
    public var parameters: [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        if self.page != 1 { parameters.append(("page", String(self.page))) }
        if let status = self.status { parameters.append(("status", status.rawValue)) }
        if self.sort != .newest { parameters.append(("sort", self.sort.rawValue)) }
        return parameters
    }

    /// The SQL of the page, with `?` for the status (when filtered), the limit and the offset. The total comes
    /// from a window over every matching row, as many admin pages do it: one statement, every row joined and
    /// sorted before the first is returned.
    var sql: String {
        """
        SELECT oi.id AS id, o.id AS orderID, strftime('%Y-%m-%dT%H:%M:%SZ', o.created_at, 'unixepoch') AS createdAt,
               o.status AS status, c.name AS customer, c.email AS email, p.sku AS sku, p.name AS product,
               oi.quantity AS quantity, oi.unit_price_cents AS unitPriceCents,
               oi.quantity * oi.unit_price_cents AS lineTotalCents, COUNT(*) OVER () AS totalItems
        FROM order_items oi
        JOIN orders o ON o.id = oi.order_id
        JOIN products p ON p.id = oi.product_id
        JOIN customers c ON c.id = o.customer_id
        \(self.status == nil ? "" : "WHERE o.status = ?")
        ORDER BY \(self.sort.orderBy)
        LIMIT ? OFFSET ?
        """
    }
}
