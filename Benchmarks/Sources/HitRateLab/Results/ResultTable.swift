@_spi(Benchmarks) import CacheLayerAdvisor

/// The results as a plain-text table for a terminal: one line per series and budget.
public enum ResultTable {
    /// The table text.
    public static func text(_ rows: [HitRateRow]) -> String {
        let header = ["series", "budget", "hit rate", "bytes used", "evictions", "errors"]
        let lines = rows.map { row in
            [
                row.seriesName + (row.capacityObjects.map { " (\($0) objects)" } ?? ""),
                ByteCount.format(row.budget),
                NumberText.fixed(row.counts.hitRate * 100, decimals: 2) + "%",
                row.counts.bytesUsed.map(ByteCount.format) ?? "",
                row.counts.evictions.map(String.init) ?? "",
                String(row.counts.errors),
            ]
        }
        return TextTable.aligned([header] + lines, rightAligned: [1, 2, 3, 4, 5])
    }
}
