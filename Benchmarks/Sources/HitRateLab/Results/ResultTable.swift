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
        return Self.aligned([header] + lines, rightAligned: [1, 2, 3, 4, 5])
    }

    /// Columns padded to their widest cell, separated by two spaces; `rightAligned` column indices pad on the left.
    public static func aligned(_ cells: [[String]], rightAligned: Set<Int>) -> String {
        let columnCount = cells.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columnCount)
        for line in cells {
            for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        return cells.map { line in
            line.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
