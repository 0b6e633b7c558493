/// The response of `GET /admin/order-items`: one page of items with the total count.
public struct OrderItemsPage: Codable, Sendable {
    /// One order item, joined with its order, product and customer.
    public struct Item: Codable, Sendable, Equatable {
        /// The item's id.
        public var id: Int
        /// The order it belongs to.
        public var orderID: Int
        /// When the order was placed: ISO 8601, UTC.
        public var createdAt: String
        /// The order's status (an ``OrderStatus`` raw value).
        public var status: String
        /// The customer's name.
        public var customer: String
        /// The customer's email address.
        public var email: String
        /// The product's stock-keeping unit.
        public var sku: String
        /// The product's name.
        public var product: String
        /// How many were ordered.
        public var quantity: Int
        /// The price of one, in cents.
        public var unitPriceCents: Int
        /// Quantity times unit price, in cents.
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
