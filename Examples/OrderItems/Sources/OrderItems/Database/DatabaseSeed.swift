import GRDB

/// The SQL that fills an empty database with customers, products, orders and order items.
///
/// Every value is computed in SQLite from the row number by a fixed two-round multiplicative hash, so the same scale
/// always gives the same database, byte for byte, and seeding runs at SQLite's speed (about a second for the full
/// scale) rather than one Swift call per row.
enum DatabaseSeed {
    /// Bumped whenever the schema or the generated data change: a database of another version is generated anew.
    static let schemaVersion = 1

    /// Creates the tables, fills them and builds the indexes, in one transaction.
    static func run(_ db: Database, scale: DatabaseScale) throws {
        try db.execute(sql: Self.schema)
        try db.execute(sql: Self.nameTables)
        try db.execute(
            sql: """
                \(Self.sequence(scale.customers))
                INSERT INTO customers (id, name, email, country)
                SELECT i, first || ' ' || last, lower(first) || '.' || lower(last) || i || '@example.com', country
                FROM (SELECT i,
                             \(Self.word(from: "first_names", Self.hash("i", salt: 11))) AS first,
                             \(Self.word(from: "last_names", Self.hash("i", salt: 23))) AS last,
                             \(Self.word(from: "countries", Self.hash("i", salt: 37))) AS country
                      FROM seq);
                """
        )
        try db.execute(
            sql: """
                \(Self.sequence(scale.products))
                INSERT INTO products (id, sku, name, price_cents)
                SELECT i,
                       printf('SKU-%06d', i),
                       \(Self.word(from: "adjectives", Self.hash("i", salt: 43))) || ' '
                           || \(Self.word(from: "nouns", Self.hash("i", salt: 47))),
                       199 + \(Self.hash("i", salt: 41)) % 49800
                FROM seq;
                """
        )
        // Orders are spread evenly over the two years before 2026-11-21 (ids grow with time), with jitter.
        let start = 1_700_524_800  // 2023-11-21T00:00:00Z
        let span = 2 * 365 * 86_400
        let step = span / scale.orders
        try db.execute(
            sql: """
                \(Self.sequence(scale.orders))
                INSERT INTO orders (id, customer_id, status, created_at)
                SELECT i,
                       1 + \(Self.hash("i", salt: 53)) % \(scale.customers),
                       \(Self.statusCase(Self.hash("i", salt: 59))),
                       \(start) + i * \(step) + \(Self.hash("i", salt: 61)) % \(max(1, step))
                FROM seq;
                """
        )
        try db.execute(
            sql: """
                INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
                SELECT o.id, p.id, 1 + \(Self.hash("o.id * 8 + k.n", salt: 71)) % 4, p.price_cents
                FROM orders o
                JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
                      UNION ALL SELECT 6) k ON k.n <= 1 + \(Self.hash("o.id", salt: 67)) % 6
                JOIN products p ON p.id = 1 + \(Self.hash("o.id * 8 + k.n", salt: 73)) % \(scale.products)
                ORDER BY o.id, k.n;
                """
        )
        // The indexes an application would have: primary keys, foreign keys, and the status it filters on. None
        // serves the sorts, so each page sorts every matching row (which is why the endpoint is slow).
        try db.execute(
            sql: """
                CREATE INDEX orders_customer_id ON orders (customer_id);
                CREATE INDEX orders_status ON orders (status);
                CREATE INDEX order_items_order_id ON order_items (order_id);
                CREATE INDEX order_items_product_id ON order_items (product_id);
                DROP TABLE first_names; DROP TABLE last_names; DROP TABLE countries; DROP TABLE adjectives; DROP TABLE nouns;
                CREATE TABLE seed_info (schema_version INTEGER NOT NULL, orders INTEGER NOT NULL);
                INSERT INTO seed_info VALUES (\(Self.schemaVersion), \(scale.orders));
                """
        )
    }

    /// The seed's schema version and scale, or `nil` for a database that is not a finished seed.
    static func seedInfo(_ db: Database) throws -> (schemaVersion: Int, orders: Int)? {
        guard try db.tableExists("seed_info"), let row = try Row.fetchOne(db, sql: "SELECT * FROM seed_info") else {
            return nil
        }
        return (row["schema_version"], row["orders"])
    }

    private static let schema = """
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, country TEXT NOT NULL);
        CREATE TABLE products (
            id INTEGER PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id),
            status TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE order_items (
            id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id),
            product_id INTEGER NOT NULL REFERENCES products (id),
            quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL);
        """

    /// Word lists the names are drawn from, as tables numbered from 0.
    private static var nameTables: String {
        let lists: [(String, [String])] = [
            (
                "first_names",
                [
                    "Ada", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ines", "Jonas",
                    "Kenji", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sami", "Tove",
                    "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zofia",
                ]
            ),
            (
                "last_names",
                [
                    "Alvarez", "Becker", "Chen", "Dubois", "Eriksson", "Fischer", "García", "Haddad",
                    "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
                    "Rossi", "Schmidt", "Tanaka", "Uysal", "Varga", "Weber", "Yilmaz", "Zimmermann",
                ]
            ),
            ("countries", ["DE", "FR", "NL", "SE", "PL", "ES", "IT", "GB", "US", "CA", "JP", "BR"]),
            (
                "adjectives",
                [
                    "Oak", "Walnut", "Steel", "Linen", "Ceramic", "Glass", "Wool", "Bamboo", "Copper",
                    "Marble", "Cork", "Leather", "Rattan", "Velvet", "Concrete", "Birch",
                ]
            ),
            (
                "nouns",
                [
                    "Desk", "Chair", "Lamp", "Shelf", "Stool", "Rug", "Vase", "Mirror", "Bench", "Cabinet",
                    "Table", "Sofa", "Clock", "Basket", "Tray", "Planter", "Bed Frame", "Wardrobe",
                ]
            ),
        ]
        return lists.map { table, words in
            let rows = words.enumerated().map { "(\($0.offset), '\($0.element)')" }.joined(separator: ", ")
            return
                "CREATE TABLE \(table) (n INTEGER PRIMARY KEY, word TEXT NOT NULL); INSERT INTO \(table) VALUES \(rows);"
        }.joined(separator: "\n")
    }

    /// A word of `table` picked by `hash`.
    private static func word(from table: String, _ hash: String) -> String {
        "(SELECT word FROM \(table) WHERE n = (\(hash)) % (SELECT count(*) FROM \(table)))"
    }

    /// `WITH RECURSIVE seq(i)` counting 1 through `count`.
    private static func sequence(_ count: Int) -> String {
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < \(count))"
    }

    /// A well-spread non-negative integer below 2^23 from an integer SQL expression and a salt: two rounds of a
    /// 31-bit multiplicative congruential step, keeping the high bits. Stays far below 2^63, so SQLite never turns
    /// it into a real.
    private static func hash(_ expression: String, salt: Int) -> String {
        "((((((\(expression)) * 1103515245 + \(salt * 7919)) % 2147483648) * 1103515245 + 12345) % 2147483648) >> 8)"
    }

    /// A `CASE` that maps a hash to a status with the weights of ``OrderStatus/percentages``.
    private static func statusCase(_ hash: String) -> String {
        var cumulative = 0
        var text = "CASE"
        for (status, percentage) in OrderStatus.percentages {
            cumulative += percentage
            text += " WHEN (\(hash)) % 100 < \(cumulative) THEN '\(status.rawValue)'"
        }
        return text + " END"
    }
}
