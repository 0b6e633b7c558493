/// Reads and writes byte counts the way people type them: `512`, `64KiB`, `1.5MiB`, `2GiB` (also `KB`, `MB`, `GB`
/// for the same powers of two, and a `B` suffix).
public enum ByteCount {
    /// Parses `text` into bytes; `what` names the value in the error message (`the budget`).
    /// - Throws: ``AdvisorError/Code/invalidArgument`` naming the text and what is wrong with it.
    public static func parse(_ text: String, what: String) throws(AdvisorError) -> Int {
        let trimmed = text.trimmingWhitespace()
        let (kibi, mebi, gibi): (Double, Double, Double) = (1024, 1024 * 1024, 1024 * 1024 * 1024)
        let units: [(suffix: String, factor: Double)] = [
            ("GiB", gibi), ("GB", gibi), ("G", gibi),
            ("MiB", mebi), ("MB", mebi), ("M", mebi),
            ("KiB", kibi), ("KB", kibi), ("K", kibi),
            ("B", 1),
        ]
        var number = Substring(trimmed)
        var factor = 1.0
        for unit in units where trimmed.lowercased().hasSuffix(unit.suffix.lowercased()) {
            number = trimmed.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        guard let value = Double(number.trimmingWhitespace()), value.isFinite, value >= 0 else {
            throw AdvisorError(
                .invalidArgument, "\(what) '\(text)' is not a byte count (examples: 4096, 64KiB, 1.5MiB)")
        }
        let bytes = (value * factor).rounded()
        guard bytes < Double(1 << 52) else {
            throw AdvisorError(.invalidArgument, "\(what) '\(text)' is too large")
        }
        return Int(bytes)
    }

    /// `1.5 MiB`, `64 KiB`, `512 B`: the largest unit that keeps the number at least 1, at most 2 decimals.
    public static func format(_ bytes: Int) -> String {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, factor) in units where bytes >= factor {
            return "\(NumberText.short(Double(bytes) / Double(factor))) \(name)"
        }
        return "\(bytes) B"
    }
}
