/// An order's status, as stored in `orders.status` and accepted by `?status=`.
public enum OrderStatus: String, Sendable, CaseIterable, Codable {
    /// Placed, not yet picked.
    case open
    /// Being picked and packed.
    case processing
    /// On its way.
    case shipped
    /// Arrived.
    case delivered
    /// Called off before shipping.
    case cancelled
    /// Paid back.
    case refunded
    /// Waiting on a question (payment, stock, address).
    case onHold = "on_hold"

    /// The share of orders in each status, in percent (the seed draws from it).
    static let percentages: [(OrderStatus, Int)] = [
        (.delivered, 45), (.shipped, 20), (.processing, 10), (.open, 10), (.cancelled, 8), (.refunded, 4), (.onHold, 3),
    ]
}
