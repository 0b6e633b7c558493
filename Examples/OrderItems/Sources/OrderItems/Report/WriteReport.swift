/// The report of the writes scenario: how many writes were applied (each invalidating the listing pages that can
/// show its order before answering), what they cost in hit rate, and how many reads were stale (must be 0).
public struct WriteReport: Sendable {
    public var outcome: WriteReplay.Outcome
    public var check: StaleReadCheck
    /// The miss rate of the same visits on the same boundary without writes, when it was replayed.
    public var missRateWithoutWrites: Double?
    public var writeEvery: Int

    /// Creates the report.
    public init(outcome: WriteReplay.Outcome, check: StaleReadCheck, missRateWithoutWrites: Double?, writeEvery: Int) {
        self.outcome = outcome
        self.check = check
        self.missRateWithoutWrites = missRateWithoutWrites
        self.writeEvery = writeEvery
    }

    /// The report's lines.
    public var lines: [String] {
        let writes = self.outcome.writes
        let applied = writes.filter(\.applied).count
        let conflicts = writes.filter { $0.status == 409 }.count
        let failed = writes.count - applied - conflicts
        let visits = self.outcome.reads.filter { !$0.followsWrite }
        let cached = visits.filter(\.record.isCached).count
        let missRate = visits.isEmpty ? 0 : 1 - Double(cached) / Double(visits.count)
        let without = self.missRateWithoutWrites.map { " (without writes: \(ReportText.percent($0)))" } ?? ""
        var lines = [
            "Writes mixed into the visits: page 1 cached, one PUT \(OrderStatusWrite.path) after every \(self.writeEvery) visits",
            "  writes         \(writes.count): \(applied) applied (2xx; each invalidated its listing tags before answering), \(conflicts) refused (409), \(failed) failed",
            "  invalidations  \(applied) (rule \(OrderStatusWrite.rule.name): order-items:status:all and the old and new status)",
            "  miss rate      \(ReportText.percent(missRate)) of \(visits.count) visits\(without)",
            "  stale reads    \(self.check.staleReads) of \(self.check.checkedReads) reads that showed a written order (\(self.check.checkedCachedReads) of them from the cache)",
        ]
        if let first = self.check.firstStale { lines.append("  first stale    \(first)") }
        return lines
    }
}
