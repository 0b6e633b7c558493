/// A tag built from an HTTP request, as a boundary (``CacheEndpoint/tags``) or an invalidation rule
/// (``CacheInvalidationRule/tags``) names it: literal text, with `{name}` for a path parameter (a `:name` segment of
/// the path pattern) and `{?name}` for a query parameter's value, or `{?name|default}` to use `default` when the
/// request has no value for it (`"list:{?status|all}"` gives `list:all` for a request without `status`).
///
/// ```swift
/// // For GET /stores/7/orders?status=open: "orders", "store:7", "status:open".
/// let templates = ["orders", "store:{store}", "status:{?status}"]
/// ```
///
/// A path parameter's value is the segment percent-decoded (so `/stores/a%20b` and `?store=a b` give the same
/// tag); a query parameter's value is the value the handler receives. A query parameter given several times gives
/// one tag per value (every combination, when a template names several). A value that is missing or empty (with no
/// default), or a tag
/// that would be longer than ``CacheTag/maximumLength``, makes the template **unresolved**: a cacheable request then
/// bypasses the cache (``BypassReason/unresolvedTag``: an entry must never carry a tag that cannot be built again
/// by the writes that should invalidate it), and an invalidation rule invalidates the tags it could build and
/// counts the rest as skipped.
public struct TagTemplate: Sendable, Hashable, CustomStringConvertible {
    /// One part of a template.
    enum Part: Sendable, Hashable {
        case literal(String)
        /// A path parameter: the index of its segment in the path pattern.
        case pathParameter(name: String, segment: Int)
        case queryParameter(String, default: String?)
    }

    /// The template as written.
    public let text: String
    let parts: [Part]

    /// The largest number of tags one template may expand to (query parameters given several times); past it,
    /// the template is unresolved.
    public static let maximumExpansion = 16

    /// Parses `text` against `path`, the path pattern whose `:name` segments `{name}` refers to.
    /// - Throws: ``CacheError/Code/invalidConfiguration`` (the message names `field`) for an empty template, an
    ///   unclosed or empty `{}`, a `{name}` that is not a parameter of `path`, or literal text longer than a tag.
    init(_ text: String, path: String, field: String) throws(CacheError) {
        guard !text.isEmpty else { throw CacheError(.invalidConfiguration, "\(field): a tag is empty") }
        let segments = path.split(separator: "/")
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{" else {
                throw CacheError(.invalidConfiguration, "\(field): '\(text)' has a '}' without its '{'")
            }
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw CacheError(.invalidConfiguration, "\(field): '\(text)' has a '{' without its '}'")
            }
            let inner = rest[rest.index(after: open)..<close]
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
            if inner.hasPrefix("?") {
                let pieces = inner.dropFirst().split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pieces[0])
                guard !name.isEmpty, !name.contains("{") else {
                    throw CacheError(.invalidConfiguration, "\(field): '\(text)' names an empty query parameter")
                }
                let fallback = pieces.count > 1 ? String(pieces[1]) : nil
                guard fallback.map({ !$0.isEmpty && !$0.contains("{") }) ?? true else {
                    throw CacheError(.invalidConfiguration, "\(field): '\(text)' has an empty default after '|'")
                }
                parts.append(.queryParameter(name, default: fallback))
            } else {
                let name = String(inner)
                guard !name.isEmpty, !name.contains("{") else {
                    throw CacheError(.invalidConfiguration, "\(field): '\(text)' has an empty '{}'")
                }
                guard let segment = segments.firstIndex(where: { $0 == ":" + name }) else {
                    throw CacheError(
                        .invalidConfiguration,
                        "\(field): '\(text)' names '{\(name)}', which is not a parameter of the path '\(path)' "
                            + "(write '{?\(name)}' for a query parameter)")
                }
                parts.append(.pathParameter(name: name, segment: segment))
            }
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        let literalLength = parts.reduce(0) { length, part in
            switch part {
            case .literal(let text): length + text.utf8.count
            case .queryParameter(_, let fallback?): length + fallback.utf8.count
            default: length
            }
        }
        guard literalLength <= CacheTag.maximumLength else {
            throw CacheError(
                .invalidConfiguration,
                "\(field): '\(text)' is longer than a tag may be (\(CacheTag.maximumLength) bytes)")
        }
        self.text = text
        self.parts = parts
    }

    public var description: String { self.text }

    /// The tags this template builds from a request's `path` (split at `/`) and `query`; `nil` when it is
    /// unresolved (a value missing or empty, a tag too long, more than ``maximumExpansion`` tags).
    func expand(path: [Substring], query: [(name: String, value: String)]) -> [String]? {
        var tags = [""]
        for part in self.parts {
            let values: [String]
            switch part {
            case .literal(let text):
                values = [text]
            case .pathParameter(_, let segment):
                guard segment < path.count else { return nil }
                values = [Self.percentDecoded(path[segment])]
            case .queryParameter(let name, let fallback):
                let given = query.compactMap { $0.name == name && !$0.value.isEmpty ? $0.value : nil }
                if given.isEmpty, let fallback {
                    values = [fallback]
                } else {
                    values = query.compactMap { $0.name == name ? $0.value : nil }
                }
            }
            guard !values.isEmpty, !values.contains(where: \.isEmpty),
                tags.count * values.count <= Self.maximumExpansion
            else { return nil }
            tags = tags.flatMap { prefix in values.map { prefix + $0 } }
        }
        guard tags.allSatisfy({ $0.utf8.count <= CacheTag.maximumLength }) else { return nil }
        var unique: [String] = []
        for tag in tags { unique.appendUnlessHeld(tag) }
        return unique
    }

    /// `segment` with its `%XX` escapes decoded; as it is when that is not UTF-8 or an escape is malformed.
    static func percentDecoded(_ segment: Substring) -> String {
        PercentDecoding.decode(segment) ?? String(segment)
    }
}

extension [TagTemplate] {
    /// The tags every template builds from a request, each once, in order; `nil` when one is unresolved.
    func expand(path: [Substring], query: [(name: String, value: String)]) -> [String]? {
        var tags: [String] = []
        for template in self {
            guard let built = template.expand(path: path, query: query) else { return nil }
            for tag in built { tags.appendUnlessHeld(tag) }
        }
        return tags
    }
}
