/// How many rows the generated database holds. The other tables follow the number of orders; each order has one to
/// six items (3.5 on average).
public struct DatabaseScale: Sendable, Equatable, CustomStringConvertible {
    /// Orders in the database.
    public var orders: Int

    /// Creates a scale of `orders` orders (at least 60, so every table has rows).
    public init(orders: Int) {
        self.orders = max(60, orders)
    }

    /// The main job's database: 30,000 orders, about 105,000 items. An unfiltered page costs about 0.3 s of
    /// SQLite CPU time on the 2-core VM the README's numbers come from (every matching row is joined, counted and
    /// sorted for each page); a filtered one less, in proportion to the rows it matches.
    public static let full = DatabaseScale(orders: 30_000)
    /// The smoke test's database: generated in a fraction of a second.
    public static let small = DatabaseScale(orders: 2_000)

    /// One customer for every six orders.
    public var customers: Int { max(10, self.orders / 6) }
    /// One product for every 32 orders.
    public var products: Int { max(10, self.orders / 32) }

    public var description: String {
        "\(self.orders) orders, \(self.customers) customers, \(self.products) products"
    }
}
