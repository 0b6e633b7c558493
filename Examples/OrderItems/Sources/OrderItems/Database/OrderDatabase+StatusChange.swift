import GRDB
import Tracing

extension OrderDatabase {
    /// Moves order `id` to status `to` if its status is `from` (`nil`: whatever it is), in an `UPDATE orders`
    /// span. Returns whether it changed the order: `false` when the order does not exist or is in another status.
    public func changeStatus(ofOrder id: Int, from: OrderStatus?, to: OrderStatus) async throws -> Bool {
        try await withSpan("UPDATE orders", ofKind: .client) { span in
            span.attributes["db.system.name"] = "sqlite"
            span.attributes["db.operation.name"] = "UPDATE"
            span.attributes["db.collection.name"] = "orders"
            let changed = try await self.pool.write { db in
                if let from {
                    try db.execute(
                        sql: "UPDATE orders SET status = ? WHERE id = ? AND status = ?",
                        arguments: [to.rawValue, id, from.rawValue])
                } else {
                    try db.execute(sql: "UPDATE orders SET status = ? WHERE id = ?", arguments: [to.rawValue, id])
                }
                return db.changesCount
            }
            return changed == 1
        }
    }
}
