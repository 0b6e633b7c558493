/// A small SVG canvas: the report's charts draw on it and render it inline (no scripts, no external files).
struct Svg {
    let width: Double
    let height: Double
    let label: String
    private var elements: [String] = []

    /// A canvas of `width` by `height` user units; `label` is its accessible name.
    init(width: Double, height: Double, label: String) {
        self.width = width
        self.height = height
        self.label = label
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, opacity: Double = 1) {
        self.elements.append(
            "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(width, 0)))\" height=\"\(Self.n(max(height, 0)))\" fill=\"\(fill)\"\(opacity < 1 ? " fill-opacity=\"\(Self.n(opacity))\"" : "")/>"
        )
    }

    mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        self.elements.append(
            "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
        )
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        guard points.count > 1 else { return }
        self.elements.append(
            "<polyline points=\"\(Self.points(points))\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
        )
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        guard points.count > 2 else { return }
        self.elements.append(
            "<polygon points=\"\(Self.points(points))\" fill=\"\(fill)\" fill-opacity=\"\(Self.n(opacity))\"/>")
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String = "none") {
        self.elements.append(
            "<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(radius))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>"
        )
    }

    enum Anchor: String {
        case start, middle, end
    }

    mutating func text(
        _ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12, fill: String = "#333",
        weight: String = "normal", halo: Bool = false
    ) {
        // A halo: a white outline under the glyphs, so a label stays readable over lines and bands.
        let halo = halo ? " stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"" : ""
        self.elements.append(
            "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor.rawValue)\" font-size=\"\(Self.n(size))\" fill=\"\(fill)\"\(weight == "normal" ? "" : " font-weight=\"\(weight)\"")\(halo)>\(Html.escape(text))</text>"
        )
    }

    /// The `<svg>` element.
    var rendered: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.n(self.width)) \(Self.n(self.height))\" role=\"img\" aria-label=\"\(Html.escape(self.label))\" font-family=\"system-ui, sans-serif\">\n"
            + self.elements.joined(separator: "\n") + "\n</svg>"
    }

    private static func points(_ points: [(Double, Double)]) -> String {
        points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
    }

    /// A coordinate with at most one decimal.
    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return ReportText.fixed(value, digits: value.rounded() == value ? 0 : 1)
    }
}

/// HTML text escaping.
enum Html {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
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
