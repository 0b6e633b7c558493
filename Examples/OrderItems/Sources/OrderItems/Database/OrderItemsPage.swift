/// The response of `GET /admin/order-items`: one page of items with the total count.
public struct OrderItemsPage: Codable, Sendable {
    /// One order item, joined with its order, product and customer.
    public struct Item: Codable, Sendable, Equatable {
        public var id: Int
        public var orderID: Int
        /// ISO 8601, UTC.
        public var createdAt: String
        public var status: String
        public var customer: String
        public var email: String
        public var sku: String
        public var product: String
        public var quantity: Int
        public var unitPriceCents: Int
        public var lineTotalCents: Int
    }

    /// The page, counting from 1.
    public var page: Int
    /// Items per page.
    public var pageSize: Int
    /// The status filter, or `nil` for all.
    public var status: String?
    /// The ordering.
    public var sort: String
    /// Items matching the filter, on all pages.
    public var totalItems: Int
    /// This page's items (fewer than `pageSize` on the last page, none past it).
    public var items: [Item]
}
