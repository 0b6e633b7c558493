import Foundation
@_spi(Benchmarks) import CacheLayerAdvisor

/// Draws hit rate against memory budget as an SVG document, written by hand (no dependencies): one line per
/// series (tier, policy and variant), the optimum dashed, labelled axes with units, a legend, and a title.
///
/// The memory axis is logarithmic (base 2) when the budgets span a factor of 4 or more, linear otherwise; its ticks
/// are the budgets themselves. The hit-rate axis runs from 0 to 100%.
public enum HitRateChart {
    private static let width = 960.0
    private static let plotLeft = 80.0
    private static let plotTop = 72.0
    private static let plotWidth = 560.0
    private static let plotHeight = 400.0
    private static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
    ]

    /// The SVG text for `rows` under `title`; a title `heading: details` is drawn on two lines.
    public static func svg(_ rows: [HitRateRow], title: String) -> String {
        let titleParts = title.split(separator: ":", maxSplits: 1)
        let heading = titleParts.count == 2 ? String(titleParts[0]) : title
        let subheading = titleParts.count == 2 ? String(titleParts[1].trimmingWhitespace()) : ""
        var seriesNames: [String] = []
        var points: [String: [(budget: Int, rate: Double)]] = [:]
        var firstRow: [String: HitRateRow] = [:]
        for row in rows {
            let name = row.seriesName
            if points[name] == nil {
                seriesNames.append(name)
                firstRow[name] = row
            }
            points[name, default: []].append((row.budget, row.counts.hitRate))
        }
        let budgets = Array(Set(rows.map(\.budget))).sorted()
        let low = Double(budgets.first ?? 1)
        let high = Double(budgets.last ?? 1)
        let logarithmic = high / low >= 4
        func x(_ budget: Int) -> Double {
            guard high > low else { return Self.plotLeft + Self.plotWidth / 2 }
            let fraction =
                logarithmic ? log2(Double(budget) / low) / log2(high / low) : (Double(budget) - low) / (high - low)
            return Self.plotLeft + fraction * Self.plotWidth
        }
        func y(_ rate: Double) -> Double { Self.plotTop + (1 - rate) * Self.plotHeight }

        let legendRows = max(seriesNames.count, 1)
        let height = max(Self.plotTop + Self.plotHeight + 80, Self.plotTop + 30 + Double(legendRows) * 20)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(Self.width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(Self.width)) \(Self.number(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Self.number(Self.width / 2))" y="26" text-anchor="middle" font-size="16">\(Self.escaped(heading))</text>
            <text x="\(Self.number(Self.width / 2))" y="46" text-anchor="middle">\(Self.escaped(subheading))</text>

            """
        // Grid and y ticks every 10%.
        for tenth in 0...10 {
            let rate = Double(tenth) / 10
            let lineY = Self.number(y(rate))
            svg +=
                "<line x1=\"\(Self.number(Self.plotLeft))\" y1=\"\(lineY)\" x2=\"\(Self.number(Self.plotLeft + Self.plotWidth))\" y2=\"\(lineY)\" stroke=\"#e0e0e0\"/>\n"
            svg +=
                "<text x=\"\(Self.number(Self.plotLeft - 8))\" y=\"\(Self.number(y(rate) + 4))\" text-anchor=\"end\">\(tenth * 10)%</text>\n"
        }
        // x ticks at the budgets.
        for budget in budgets {
            let tickX = Self.number(x(budget))
            svg +=
                "<line x1=\"\(tickX)\" y1=\"\(Self.number(Self.plotTop))\" x2=\"\(tickX)\" y2=\"\(Self.number(Self.plotTop + Self.plotHeight))\" stroke=\"#f0f0f0\"/>\n"
            svg +=
                "<text x=\"\(tickX)\" y=\"\(Self.number(Self.plotTop + Self.plotHeight + 18))\" text-anchor=\"middle\">\(Self.escaped(ByteCount.format(budget)))</text>\n"
        }
        // Axes and their labels.
        svg +=
            "<rect x=\"\(Self.number(Self.plotLeft))\" y=\"\(Self.number(Self.plotTop))\" width=\"\(Self.number(Self.plotWidth))\" height=\"\(Self.number(Self.plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        let xLabel = "memory budget (bytes, shown in KiB/MiB/GiB\(logarithmic ? "; log scale" : ""))"
        svg +=
            "<text x=\"\(Self.number(Self.plotLeft + Self.plotWidth / 2))\" y=\"\(Self.number(Self.plotTop + Self.plotHeight + 45))\" text-anchor=\"middle\">\(Self.escaped(xLabel))</text>\n"
        let labelY = Self.plotTop + Self.plotHeight / 2
        svg +=
            "<text x=\"24\" y=\"\(Self.number(labelY))\" text-anchor=\"middle\" transform=\"rotate(-90 24 \(Self.number(labelY)))\">hit rate (% of requests)</text>\n"

        // One polyline with markers per series, and its legend entry. With several variants (pagination
        // boundaries) the colour says which variant and the dash pattern which tier and policy; with one, each
        // series has its own colour.
        let variants = Self.uniqueInOrder(rows.map(\.variant))
        let styles = Self.uniqueInOrder(rows.map { "\($0.tier.rawValue) \($0.policy)" })
        let legendX = Self.plotLeft + Self.plotWidth + 30
        for (index, name) in seriesNames.enumerated() {
            let row = firstRow[name]!
            let colorIndex = variants.count > 1 ? variants.firstIndex(of: row.variant)! : index
            let color = Self.palette[colorIndex % Self.palette.count]
            let style = styles.firstIndex(of: "\(row.tier.rawValue) \(row.policy)")!
            let pattern = row.tier == .optimum ? "6 4" : ["", "2 2", "8 3 2 3", "4 1"][style % 4]
            let dash = pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
            let sorted = points[name]!.sorted { $0.budget < $1.budget }
            let path = sorted.map { "\(Self.number(x($0.budget))),\(Self.number(y($0.rate)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            for point in sorted {
                svg +=
                    "<circle cx=\"\(Self.number(x(point.budget)))\" cy=\"\(Self.number(y(point.rate)))\" r=\"3\" fill=\"\(color)\"><title>\(Self.escaped(name)): \(NumberText.fixed(point.rate * 100, decimals: 2))% at \(Self.escaped(ByteCount.format(point.budget)))</title></circle>\n"
            }
            let entryY = Self.plotTop + 10 + Double(index) * 20
            svg +=
                "<line x1=\"\(Self.number(legendX))\" y1=\"\(Self.number(entryY))\" x2=\"\(Self.number(legendX + 28))\" y2=\"\(Self.number(entryY))\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            svg +=
                "<text x=\"\(Self.number(legendX + 36))\" y=\"\(Self.number(entryY + 4))\">\(Self.escaped(name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// The distinct values, in the order first seen.
    private static func uniqueInOrder(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Coordinates with one decimal, so the text is the same on every platform.
    private static func number(_ value: Double) -> String { NumberText.short(value, decimals: 1) }

    /// Escapes the characters XML gives a meaning to.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
