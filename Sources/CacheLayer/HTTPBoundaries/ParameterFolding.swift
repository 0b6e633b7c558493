/// A declared way in which different spellings of one query parameter (or vary header) value select the same
/// response, so that they may share a cache entry.
///
/// By default nothing is folded: a key holds every value byte for byte, because only the application knows that its
/// handler treats `Open` like `open` or `007` like `7`. Declare a folding per name, on the parameter (or header)
/// whose handler really does ignore the difference:
///
/// ```swift
/// PaginationBoundary(
///     commonFilters: ["status": ["open", "shipped"]],
///     parameterFolding: [
///         "status": [.trimWhitespace, .ignoreCase],  // the handler reads `status` trimmed and lowercased
///         "page": [.integerForm, .absentAs("1")],    // `?page=01`, `?page=1` and no page are one page
///     ]
/// )
/// ```
///
/// Folds apply in a fixed order: ``trimWhitespace``, then ``ignoreCase``, then ``integerForm``; ``absentAs(_:)``
/// stands for a missing parameter and is folded like a sent value. Dropping a parameter altogether is
/// ``PaginationBoundary/volatileParameters``.
public enum ParameterFolding: Sendable, Hashable {
    /// Leading and trailing whitespace is removed: ` open ` is `open`.
    case trimWhitespace
    /// Letters are compared without case (the value is lowercased): `OPEN` is `open`.
    case ignoreCase
    /// A value that is a decimal integer fitting in `Int` (an optional sign, then digits) is written in its
    /// shortest form: `007` and `+7` are `7`. Other values are kept as they are.
    case integerForm
    /// A request without the parameter is keyed as if it had sent this value: with `.absentAs("1")` on `page`,
    /// `?page=1` and no page share an entry. A request that sends the parameter, even empty, is keyed by what it sent.
    case absentAs(String)

    /// `value` folded as `foldings` declare.
    static func fold(_ value: String, _ foldings: Set<ParameterFolding>) -> String {
        var folded = value
        if foldings.contains(.trimWhitespace) {
            let scalars = folded.unicodeScalars
            let start = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
            let end = scalars[start...].lastIndex { !$0.properties.isWhitespace }.map(scalars.index(after:)) ?? start
            folded = String(scalars[start..<end])
        }
        if foldings.contains(.ignoreCase) {
            folded = folded.lowercased()
        }
        if foldings.contains(.integerForm), let number = Int(folded) {
            folded = String(number)
        }
        return folded
    }

    /// The value a missing parameter stands for, if `foldings` declare one.
    static func absentValue(_ foldings: Set<ParameterFolding>) -> String? {
        for folding in foldings {
            if case .absentAs(let value) = folding { return value }
        }
        return nil
    }

    /// Checks a set of foldings for `name`: at most one ``absentAs(_:)``.
    static func validate(_ foldings: Set<ParameterFolding>, name: String, field: String) throws(CacheError) {
        let defaults = foldings.filter { if case .absentAs = $0 { true } else { false } }
        guard defaults.count <= 1 else {
            throw CacheError(.invalidConfiguration, "\(field)['\(name)']: at most one absentAs, got \(defaults.count)")
        }
    }
}
