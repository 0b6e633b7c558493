/// The orderings `?sort=` accepts.
public enum OrderItemsSort: String, Sendable, CaseIterable, Codable {
    /// Newest order first (the default).
    case newest
    /// Oldest order first.
    case oldest
    /// Largest line total (quantity times unit price) first.
    case total
    /// By customer name.
    case customer

    /// The SQL `ORDER BY` clause; each ends on the item id so pages never overlap.
    var orderBy: String {
        switch self {
        case .newest: "o.created_at DESC, oi.id DESC"
        case .oldest: "o.created_at ASC, oi.id ASC"
        case .total: "oi.quantity * oi.unit_price_cents DESC, oi.id ASC"
        case .customer: "c.name ASC, oi.id ASC"
        }
    }
}
