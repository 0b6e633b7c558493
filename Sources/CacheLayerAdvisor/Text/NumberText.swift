/// Numbers as text with a fixed number of decimals, written without Foundation (so the output is the same on every
/// platform). Shared with the Benchmarks package (`@_spi(Benchmarks)`), not API.
@_spi(Benchmarks)
public enum NumberText {
    /// `value` with at most `decimals` decimals, trailing zeros dropped: 1.5, 64, 0.25.
    public static func short(_ value: Double, decimals: Int = 2) -> String {
        let fixed = Self.fixed(value, decimals: decimals)
        guard fixed.contains(".") else { return fixed }
        var trimmed = Substring(fixed)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// `value` with exactly `decimals` decimals, rounded half away from zero: 0.750000.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "nan" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        let digits = String(fraction)
        return "\(sign)\(whole).\(String(repeating: "0", count: decimals - digits.count))\(digits)"
    }
}
