@_spi(Benchmarks) import CacheLayerAdvisor

/// The results as CSV, one row per tier, policy, variant and budget, in the order given. Numbers are written
/// without Foundation formatting (hit rates with 6 decimals), so the same rows always give the same bytes.
public enum HitRateCSV {
    /// The header line's columns.
    public static let columns = [
        "workload", "variant", "tier", "policy", "budget_bytes", "capacity_objects", "requests", "hits", "hit_rate",
        "bytes_used", "evictions", "errors",
    ]

    /// The CSV text, header first, each line ending in a newline.
    public static func text(_ rows: [HitRateRow]) -> String {
        var text = Self.columns.joined(separator: ",") + "\n"
        for row in rows {
            let optional: (Int?) -> String = { $0.map(String.init) ?? "" }
            var fields: [String] = [
                Self.escaped(row.workload), Self.escaped(row.variant), row.tier.rawValue, Self.escaped(row.policy),
            ]
            fields += [
                String(row.budget), optional(row.capacityObjects), String(row.counts.requests), String(row.counts.hits),
            ]
            fields += [
                NumberText.fixed(row.counts.hitRate, decimals: 6), optional(row.counts.bytesUsed),
                optional(row.counts.evictions),
            ]
            fields.append(String(row.counts.errors))
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Quotes a field that holds a comma, a quote or a line break (RFC 4180).
    static func escaped(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        var quoted = "\""
        for character in field {
            quoted += character == "\"" ? "\"\"" : String(character)
        }
        return quoted + "\""
    }
}
