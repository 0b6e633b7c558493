/// How the report writes durations, shares and sizes.
public enum ReportText {
    /// `0.84 ms`, `38.2 ms`, `712 ms`, `-` for none.
    public static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let value = Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
        return value < 10
            ? Self.fixed(value, digits: 2) + " ms"
            : value < 100 ? Self.fixed(value, digits: 1) + " ms" : "\(Int(value.rounded())) ms"
    }

    /// `75.2%`.
    public static func percent(_ fraction: Double) -> String {
        Self.fixed(fraction * 100, digits: 1) + "%"
    }

    /// `512 B`, `48.1 KiB`, `3.2 MiB`.
    public static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1 << 20 { return Self.fixed(Double(count) / 1024, digits: 1) + " KiB" }
        return Self.fixed(Double(count) / Double(1 << 20), digits: 1) + " MiB"
    }

    /// `value` with `digits` decimals (no Foundation formatting, so the output is the same everywhere).
    public static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
