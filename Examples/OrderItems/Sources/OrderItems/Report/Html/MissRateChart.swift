/// The health scenarios' chart: the boundary's miss rate in each interval, the monitor's band around its baseline,
/// the phases behind them and a marker where each anomaly fired.
struct MissRateChart {
    let timeline: HealthTimeline

    static let phaseColours: [HealthScenario: String] = [
        .volatileParameter: "#f4a261", .filterChange: "#9b8fd6", .smallBudget: "#e76f51",
    ]

    var svg: String {
        let width = 900.0
        let height = 360.0
        let left = 56.0
        let right = 64.0
        let top = 56.0
        let bottom = 64.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let count = max(self.timeline.intervals.count, 1)
        func x(_ interval: Int) -> Double { left + plotWidth * Double(interval) / Double(count) }
        func y(_ rate: Double) -> Double { top + plotHeight * (1 - min(max(rate, 0), 1)) }
        var svg = Svg(width: width, height: height, label: "Miss rate per interval with the monitor's band")

        // Phases behind everything: the warm-up, then each change.
        let warmUp = self.timeline.intervals.filter { $0.band != nil && $0.band?.upperBound == nil }
        if let last = warmUp.last?.number {
            svg.rect(x: x(0), y: top, width: x(last) - x(0), height: plotHeight, fill: "#e9ecef", opacity: 0.7)
            svg.text("warm-up (learning)", x: (x(0) + x(last)) / 2, y: top - 8, anchor: .middle, size: 12, fill: "#555")
        }
        // Change phases are narrow: their labels alternate between two rows so that neighbours do not overlap.
        for (index, phase) in self.timeline.phases.filter({ $0.plan.scenario != .steady }).enumerated() {
            let colour = Self.phaseColours[phase.plan.scenario] ?? "#ccc"
            let start = x(phase.intervals.lowerBound - 1)
            let end = x(phase.intervals.upperBound)
            svg.rect(x: start, y: top, width: end - start, height: plotHeight, fill: colour, opacity: 0.22)
            let labelY = index % 2 == 0 ? top - 8 : top - 24
            svg.line(x1: (start + end) / 2, y1: labelY + 3, x2: (start + end) / 2, y2: top, stroke: colour, width: 1)
            svg.text(
                Self.shortTitle(phase.plan.scenario), x: (start + end) / 2, y: labelY, anchor: .middle, size: 12,
                fill: "#444", weight: "600", halo: true)
        }

        // Grid and axes.
        for percent in stride(from: 0, through: 100, by: 25) {
            let gy = y(Double(percent) / 100)
            svg.line(x1: left, y1: gy, x2: width - right, y2: gy, stroke: percent == 0 ? "#888" : "#ddd")
            svg.text("\(percent)%", x: left - 8, y: gy + 4, anchor: .end, size: 11, fill: "#666")
        }
        // About ten ticks, at a round step.
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].first { count / $0 <= 10 } ?? 1000
        for interval in stride(from: 0, through: count, by: step) {
            svg.line(x1: x(interval), y1: top + plotHeight, x2: x(interval), y2: top + plotHeight + 5, stroke: "#888")
            svg.text("\(interval)", x: x(interval), y: top + plotHeight + 18, anchor: .middle, size: 11, fill: "#666")
        }
        svg.text(
            "interval (\(self.timeline.requestsPerInterval) requests each, a minute on the monitor's clock)",
            x: left + plotWidth / 2, y: top + plotHeight + 36, anchor: .middle, size: 12, fill: "#444")

        // The band: from the baseline to the upper bound, over the judged intervals.
        let judged = self.timeline.intervals.compactMap { interval -> (Int, Double, Double)? in
            guard let band = interval.band, let upper = band.upperBound else { return nil }
            return (interval.number, band.expectedMissRate, upper)
        }
        for run in Self.consecutiveRuns(judged) {
            let upper = run.map { (x($0.0), y($0.2)) }
            let lower = run.reversed().map { (x($0.0), y($0.1)) }
            svg.polygon(upper + lower, fill: "#2a9d8f", opacity: 0.18)
            svg.polyline(upper, stroke: "#2a9d8f", width: 1.2)
            svg.polyline(lower.reversed(), stroke: "#2a9d8f", width: 1.2, dash: "4 3")
        }

        // The miss rate, and the anomalies.
        let points = self.timeline.intervals.compactMap { interval in
            interval.band.map { (x(interval.number), y($0.missRate)) }
        }
        svg.polyline(points, stroke: "#264653", width: 2)
        // A dot per interval while they stay apart; a long run is a line with its anomalies marked.
        let dotsEveryInterval = count <= 60
        for interval in self.timeline.intervals {
            guard let band = interval.band else { continue }
            let isAnomaly = !interval.anomalies.isEmpty
            guard isAnomaly || dotsEveryInterval else { continue }
            svg.circle(
                x: x(interval.number), y: y(band.missRate), radius: isAnomaly ? 6 : 3,
                fill: isAnomaly ? "#d62828" : "#264653", stroke: isAnomaly ? "#fff" : "none")
            if let anomaly = interval.anomalies.first {
                svg.text(
                    anomaly.kind, x: x(interval.number), y: y(band.missRate) + 22, anchor: .middle, size: 12,
                    fill: "#b42318", weight: "600", halo: true)
            }
        }

        // Legend, under the axis title.
        let legendY = height - 10
        svg.line(x1: left, y1: legendY - 4, x2: left + 22, y2: legendY - 4, stroke: "#264653", width: 2)
        svg.text("miss rate (MISS + BYPASS)", x: left + 28, y: legendY, size: 11)
        svg.rect(x: left + 200, y: legendY - 10, width: 22, height: 12, fill: "#2a9d8f", opacity: 0.3)
        svg.text("band: baseline (dashed) to upper bound", x: left + 228, y: legendY, size: 11)
        svg.circle(x: left + 470, y: legendY - 4, radius: 5, fill: "#d62828")
        svg.text("anomaly raised (its kind)", x: left + 480, y: legendY, size: 11)
        return svg.rendered
    }

    static func shortTitle(_ scenario: HealthScenario) -> String {
        switch scenario {
        case .steady: "steady"
        case .volatileParameter: "request_id in key"
        case .filterChange: "filter change"
        case .smallBudget: "small budget"
        }
    }

    /// Splits interval points into runs of consecutive interval numbers.
    static func consecutiveRuns(_ points: [(Int, Double, Double)]) -> [[(Int, Double, Double)]] {
        var runs: [[(Int, Double, Double)]] = []
        for point in points {
            if let last = runs.last?.last, last.0 + 1 == point.0 {
                runs[runs.count - 1].append(point)
            } else {
                runs.append([point])
            }
        }
        return runs
    }
}
