/// Plain-text tables for a terminal. Shared with the Benchmarks package (`@_spi(Benchmarks)`), not API.
@_spi(Benchmarks)
public enum TextTable {
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
