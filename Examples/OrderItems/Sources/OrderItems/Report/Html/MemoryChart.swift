import Foundation

/// The cache's memory: what each replayed boundary held at the end (bars), and the memory tier during the health
/// scenarios with its budget (a line per interval), where the small budget shows as a ceiling the bytes hit.
struct MemoryChart {
    let reports: [BoundaryReport]
    let timeline: HealthTimeline?

    /// Bars of bytes held per boundary; `nil` when no boundary's memory is visible (Redis).
    var boundariesSvg: String? {
        let held = self.reports.compactMap { report in report.memory.map { (report, $0) } }
        guard !held.isEmpty else { return nil }
        let width = 900.0
        let left = 170.0
        let right = 200.0
        let barHeight = 22.0
        let height = 24 + Double(held.count) * (barHeight + 12) + 10
        let largest = Double(max(held.map(\.1.bytes).max() ?? 1, 1))
        var svg = Svg(width: width, height: height, label: "Cache memory held after each boundary's replay")
        var rowY = 16.0
        for (report, memory) in held {
            let barWidth = (width - left - right) * Double(memory.bytes) / largest
            svg.text(HtmlReport.pages(report.highestCachedPage), x: left - 10, y: rowY + 15, anchor: .end, size: 12)
            svg.rect(x: left, y: rowY, width: barWidth, height: barHeight, fill: "#457b9d")
            svg.text(
                "\(ReportText.bytes(memory.bytes)), \(memory.entries) entries", x: left + barWidth + 8, y: rowY + 15,
                size: 12, fill: "#222")
            rowY += barHeight + 12
        }
        return svg.rendered
    }

    /// The memory tier's bytes per interval of the health scenarios, with the budget when it is within reach.
    var scenariosSvg: String? {
        guard let timeline = self.timeline, !timeline.intervals.isEmpty else { return nil }
        let width = 900.0
        let height = 240.0
        let left = 70.0
        let right = 24.0
        let top = 20.0
        let bottom = 40.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let intervals = timeline.intervals
        let smallBudgets = intervals.map(\.byteBudget).filter { $0 < ResponseCacheBackend.memoryBudget }
        let tick = Self.niceStep(Double(max(intervals.map(\.bytes).max() ?? 1, smallBudgets.max() ?? 0, 1)) / 3)
        let ceiling = tick * (Double(max(intervals.map(\.bytes).max() ?? 1, 1)) / tick).rounded(.up)
        func x(_ interval: Int) -> Double { left + plotWidth * Double(interval) / Double(intervals.count) }
        func y(_ bytes: Double) -> Double { top + plotHeight * (1 - bytes / ceiling) }
        var svg = Svg(width: width, height: height, label: "Memory tier bytes during the health scenarios")
        for bytes in stride(from: 0.0, through: ceiling, by: tick) {
            svg.line(x1: left, y1: y(bytes), x2: width - right, y2: y(bytes), stroke: bytes == 0 ? "#888" : "#ddd")
            let label = ReportText.bytes(Int(bytes)).replacingOccurrences(of: ".0 ", with: " ")
            svg.text(label, x: left - 8, y: y(bytes) + 4, anchor: .end, size: 11, fill: "#666")
        }
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].first { intervals.count / $0 <= 10 } ?? 1000
        for interval in stride(from: 0, through: intervals.count, by: step) {
            svg.line(x1: x(interval), y1: top + plotHeight, x2: x(interval), y2: top + plotHeight + 5, stroke: "#888")
            svg.text("\(interval)", x: x(interval), y: top + plotHeight + 17, anchor: .middle, size: 11, fill: "#666")
        }
        svg.polyline(intervals.map { (x($0.number), y(Double($0.bytes))) }, stroke: "#457b9d", width: 2)
        let budgetPoints = intervals.filter { $0.byteBudget < ResponseCacheBackend.memoryBudget }
        if let first = budgetPoints.first, let last = budgetPoints.last {
            let budgetY = y(Double(first.byteBudget))
            svg.line(
                x1: x(first.number - 1), y1: budgetY, x2: x(last.number), y2: budgetY, stroke: "#d62828",
                width: 1.5, dash: "6 4")
            svg.text(
                "budget \(ReportText.bytes(first.byteBudget))", x: x(first.number - 1) - 6, y: budgetY - 6,
                anchor: .end, size: 11, fill: "#d62828")
        }
        svg.text(
            "interval; the budget is \(ReportText.bytes(ResponseCacheBackend.memoryBudget)) (off the chart) until the small-budget restart",
            x: left + plotWidth / 2, y: height - 8, anchor: .middle, size: 12, fill: "#444")
        return svg.rendered
    }

    /// 1, 2 or 5 times a power of two's multiple of 1 KiB (or of 1 B below it), at least `rough`: tick steps that
    /// read as round sizes.
    static func niceStep(_ rough: Double) -> Double {
        var unit = 1.0
        while unit * 1024 <= rough { unit *= 1024 }
        for multiple in [1.0, 2, 5, 10, 20, 50, 100, 200, 500, 1024] where unit * multiple >= rough {
            return unit * multiple
        }
        return unit * 1024
    }
}
