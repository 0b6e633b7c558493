import Foundation

/// Checks every page a ``WriteReplay`` read against the writes completed before the read was sent: a page that
/// shows a written order in a status other than the one its last completed write gave it (or one a write in flight
/// during the read gave it) is **stale**: served from an entry the write should have invalidated.
///
/// Only the written orders are checked, and a read counts as checked when at least one of them, written before the
/// read was sent, is on its page.
public struct StaleReadCheck: Sendable {
    /// Reads whose page showed a written order after a completed write.
    public var checkedReads = 0
    /// Checked reads with at least one order in an outdated status.
    public var staleReads = 0
    /// Of the checked reads, those served from the cache (`HIT`/`STALE`).
    public var checkedCachedReads = 0
    /// The first stale read, described.
    public var firstStale: String?

    /// Checks `outcome`.
    public init(_ outcome: WriteReplay.Outcome) {
        let applied = Dictionary(grouping: outcome.writes.filter(\.applied), by: \.order)
        let decoder = JSONDecoder()
        for read in outcome.reads where read.record.status == 200 {
            guard let page = try? decoder.decode(OrderItemsPage.self, from: Data(read.record.body)) else { continue }
            var checked = false
            var stale: String?
            for item in page.items {
                guard outcome.originalStatuses[item.orderID] != nil else { continue }
                let writes = applied[item.orderID] ?? []
                let before = writes.filter { $0.completed <= read.started }
                guard let last = before.max(by: { $0.completed < $1.completed }) else { continue }
                checked = true
                // A write in flight while the read ran may or may not be seen.
                var allowed: Set<String> = [last.to.rawValue]
                for write in writes where write.started < read.completed && write.completed > read.started {
                    allowed.insert(write.to.rawValue)
                }
                if !allowed.contains(item.status), stale == nil {
                    stale =
                        "\(read.record.visit.target) (\(read.record.cacheStatus ?? "?")) showed order \(item.orderID) "
                        + "as \(item.status) after a write made it \(last.to.rawValue)"
                }
            }
            guard checked else { continue }
            self.checkedReads += 1
            if read.record.isCached { self.checkedCachedReads += 1 }
            if let stale {
                self.staleReads += 1
                if self.firstStale == nil { self.firstStale = stale }
            }
        }
    }
}
