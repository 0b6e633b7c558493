import Foundation

/// Latency by hit and miss for each replayed boundary: p50 and p95 of cached (`HIT`) and uncached (`MISS` and
/// `BYPASS`) responses, as horizontal bars on a logarithmic scale (a hit is a hundred times faster than a miss).
struct LatencyChart {
    let reports: [BoundaryReport]

    var svg: String {
        struct Bar {
            var label: String
            var value: Duration?
            var colour: String
        }
        var groups: [(title: String, bars: [Bar])] = []
        for report in self.reports {
            let summary = report.summary
            groups.append(
                (
                    HtmlReport.pages(report.highestCachedPage),
                    [
                        Bar(label: "HIT p50", value: summary.cached.p50, colour: "#2a9d8f"),
                        Bar(label: "HIT p95", value: summary.cached.p95, colour: "#1d6f65"),
                        Bar(label: "MISS+BYPASS p50", value: summary.uncached.p50, colour: "#e9a23b"),
                        Bar(label: "MISS+BYPASS p95", value: summary.uncached.p95, colour: "#c4661f"),
                    ]
                ))
        }
        let width = 900.0
        let left = 170.0
        let right = 90.0
        let top = 30.0
        let barHeight = 18.0
        let gap = 6.0
        let groupGap = 26.0
        let rows = Double(groups.reduce(0) { $0 + $1.bars.count })
        let height = top + rows * (barHeight + gap) + Double(groups.count) * groupGap + 40
        let values = groups.flatMap { $0.bars.compactMap { $0.value.map(Self.milliseconds) } }
        let lowest = 0.1
        let highest = pow(10, ceil(log10(max(values.max() ?? 1, 1))))
        let plotWidth = width - left - right
        func x(_ milliseconds: Double) -> Double {
            left + plotWidth * (log10(max(milliseconds, lowest)) - log10(lowest)) / (log10(highest) - log10(lowest))
        }
        var svg = Svg(width: width, height: height, label: "Latency of cached and uncached responses")
        var tick = lowest
        while tick <= highest * 1.001 {
            svg.line(x1: x(tick), y1: top - 6, x2: x(tick), y2: height - 34, stroke: "#e3e3e3")
            svg.text(Self.tickLabel(tick), x: x(tick), y: height - 20, anchor: .middle, size: 11, fill: "#666")
            tick *= 10
        }
        svg.text(
            "milliseconds, logarithmic scale", x: left + plotWidth / 2, y: height - 4, anchor: .middle, size: 12,
            fill: "#444")
        var rowY = top
        for group in groups {
            svg.text(group.title, x: 8, y: rowY + 2, size: 13, fill: "#222", weight: "600")
            rowY += 10
            for bar in group.bars {
                svg.text(bar.label, x: left - 10, y: rowY + barHeight * 0.7, anchor: .end, size: 12, fill: "#333")
                if let value = bar.value {
                    let ms = Self.milliseconds(value)
                    svg.rect(x: left, y: rowY, width: x(ms) - left, height: barHeight, fill: bar.colour)
                    svg.text(
                        ReportText.milliseconds(value), x: x(ms) + 6, y: rowY + barHeight * 0.7, size: 12,
                        fill: "#222")
                } else {
                    svg.text("none", x: left + 6, y: rowY + barHeight * 0.7, size: 12, fill: "#888")
                }
                rowY += barHeight + gap
            }
            rowY += groupGap - 10
        }
        return svg.rendered
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func tickLabel(_ milliseconds: Double) -> String {
        milliseconds < 1 ? ReportText.fixed(milliseconds, digits: 1) : "\(Int(milliseconds.rounded()))"
    }
}
