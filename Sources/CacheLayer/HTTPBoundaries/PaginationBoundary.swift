/// Decides which requests of a paginated endpoint are cached: page 1 (or the first few) with the common filters,
/// while deep pages, rare filters and unknown parameters go straight to the origin, so the key space stays
/// small and the cache holds what most visitors see.
///
/// ```swift
/// let boundary = PaginationBoundary(
///     pageParameter: .page("page"),
///     highestCachedPage: 1,
///     commonFilters: ["status": ["open", "shipped"], "sort": ["newest"]],
///     volatileParameters: ["_", "request_id"]
/// )
/// boundary.decide(path: "/admin/order-items", query: [("status", "open"), ("page", "1"), ("_", "123")])
/// // .cache(key: "/admin/order-items?page=1&status=open")
/// ```
///
/// **The key rule:** two requests share a key only if the handler would receive the same input. Parameter names are
/// matched exactly (a handler's lookup is case-sensitive), and every value is part of the key byte for byte; only
/// the order of distinct parameter names is canonical (the values of one name keep their order:
/// `status=open&status=shipped` is not `status=shipped&status=open`). Nothing is rewritten: `?page=1` is not the
/// absent page, and offset mode keys the offset and size as sent. Folding is opt-in per named parameter
/// (``parameterFolding``, ``ParameterFolding``); dropping one is ``volatileParameters``. Names and values are
/// percent-encoded in the key, so no two different parameter lists produce the same text.
///
/// Every number is checked: a page, offset or size that does not parse, is out of range, or would overflow bypasses
/// the cache; it never traps.
public struct PaginationBoundary: Sendable {
    /// How the endpoint paginates.
    public enum PageParameter: Sendable, Hashable {
        /// `?page=N`, counting from 1; no parameter is page 1 (and its own key, unless folded with
        /// ``ParameterFolding/absentAs(_:)``).
        case page(String)
        /// `?offset=N` with a page size from `sizeParameter` (or `defaultSize`, at least 1, when the request has
        /// none): page = offset / size + 1. An offset that is not a multiple of the size bypasses
        /// (``BypassReason/unalignedOffset``); the key holds the offset and size as sent.
        case offset(String, sizeParameter: String, defaultSize: Int)
        /// `?cursor=...`: only the first page (no cursor, or an empty one) is a cacheable page.
        case cursor(String)
    }

    /// What to do with a parameter that is neither a page, a filter, nor volatile.
    public enum UnknownParameterPolicy: Sendable, Hashable {
        /// Bypass the cache (the default): unknown parameters could multiply the keys without bound.
        case bypass
        /// Keep the parameter in the key.
        case includeInKey
    }

    /// How the endpoint paginates.
    public var pageParameter: PageParameter
    /// The deepest page that is cached (1: only the first page); at least 1 (``CacheBoundaries`` checks it).
    public var highestCachedPage: Int
    /// For each filter parameter, the values that are common enough to cache, as the handler receives them (or
    /// folded, when the parameter declares a folding: a common value matches a request value when both fold alike).
    public var commonFilters: [String: Set<String>]
    /// Parameters that never change the response (cache busters, request ids, timestamps): dropped from keys.
    public var volatileParameters: Set<String>
    /// What to do with any other parameter.
    public var unknownParameters: UnknownParameterPolicy
    /// The declared foldings, per parameter name (none by default): see ``ParameterFolding``.
    public var parameterFolding: [String: Set<ParameterFolding>]

    /// Creates a boundary. Parameter names are matched exactly, as a handler looks them up.
    public init(
        pageParameter: PageParameter = .page("page"),
        highestCachedPage: Int = 1,
        commonFilters: [String: Set<String>] = [:],
        volatileParameters: Set<String> = [],
        unknownParameters: UnknownParameterPolicy = .bypass,
        parameterFolding: [String: Set<ParameterFolding>] = [:]
    ) {
        self.pageParameter = pageParameter
        self.highestCachedPage = highestCachedPage
        self.commonFilters = commonFilters
        self.volatileParameters = volatileParameters
        self.unknownParameters = unknownParameters
        self.parameterFolding = parameterFolding
    }

    /// Decides for a request to `path` with `query` parameters (in request order, repeats allowed, values as the
    /// handler receives them: percent-decoded).
    public func decide(
        path: String,
        query: [(name: String, value: String)],
        isPersonalised: Bool = false
    ) -> BoundaryDecision.Outcome {
        if isPersonalised { return .bypass(.personalised) }
        var parameters = QueryParameters()
        var page: Int?
        var offset: Int?
        var size: Int?
        for (name, sent) in self.queryWithDefaults(query) {
            if Self.containsExactly(self.volatileParameters, name) { continue }
            let folding = self.parameterFolding.isEmpty ? nil : Self.exactValue(self.parameterFolding, name)
            let value = folding.map { ParameterFolding.fold(sent, $0) } ?? sent
            switch self.pageParameter {
            case .page(let parameter) where name.utf8.elementsEqual(parameter.utf8):
                guard let number = Int(value), number >= 1, page == nil || page == number else {
                    return .bypass(.deepPage)
                }
                page = number
            case .offset(let parameter, _, _) where name.utf8.elementsEqual(parameter.utf8):
                guard let number = Int(value), number >= 0, offset == nil || offset == number else {
                    return .bypass(.deepPage)
                }
                offset = number
            case .offset(_, let sizeParameter, _) where name.utf8.elementsEqual(sizeParameter.utf8):
                guard let number = Int(value), number >= 1, size == nil || size == number else {
                    return .bypass(.unknownParameter)
                }
                size = number
            case .cursor(let parameter) where name.utf8.elementsEqual(parameter.utf8):
                if !value.isEmpty { return .bypass(.deepPage) }
            default:
                if let common = Self.exactValue(self.commonFilters, name) {
                    guard Self.isCommon(value, in: common, folding: folding) else { return .bypass(.uncommonFilter) }
                } else if self.unknownParameters != .includeInKey {
                    return .bypass(.unknownParameter)
                }
            }
            parameters.append(name: name, value: value)
        }
        // The page is decided from the numbers; the key holds the parameters as sent (or as declared folded).
        switch self.pageParameter {
        case .page:
            guard (page ?? 1) <= self.highestCachedPage else { return .bypass(.deepPage) }
        case .offset(_, _, let defaultSize):
            let pageSize = size ?? defaultSize
            let offset = offset ?? 0
            // An unchecked boundary (decide called directly) with a size below 1 caches nothing rather than trapping.
            guard pageSize >= 1 else { return .bypass(.deepPage) }
            guard offset % pageSize == 0 else { return .bypass(.unalignedOffset) }
            // offset / size is the page's index from 0: no addition, so no overflow.
            guard offset / pageSize < self.highestCachedPage else { return .bypass(.deepPage) }
        case .cursor:
            guard 1 <= self.highestCachedPage else { return .bypass(.deepPage) }
        }
        return .cache(key: parameters.key(path: path))
    }

    /// `query` as the key holds it: the declared stand-ins of missing parameters added, volatile parameters dropped,
    /// values folded as declared. Tags built from query values read this, so that every request sharing an entry
    /// gives it the same tags.
    func keyedQuery(_ query: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var keyed: [(name: String, value: String)] = []
        for (name, sent) in self.queryWithDefaults(query) where !Self.containsExactly(self.volatileParameters, name) {
            let folding = self.parameterFolding.isEmpty ? nil : Self.exactValue(self.parameterFolding, name)
            keyed.append((name: name, value: folding.map { ParameterFolding.fold(sent, $0) } ?? sent))
        }
        return keyed
    }

    /// `query`, followed by the declared stand-in of each missing parameter that has one.
    private func queryWithDefaults(_ query: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var query = query
        for (name, folding) in self.parameterFolding {
            guard let value = ParameterFolding.absentValue(folding),
                !query.contains(where: { $0.name.utf8.elementsEqual(name.utf8) })
            else { continue }
            query.append((name: name, value: value))
        }
        return query
    }

    /// Whether `value` is one of the common values, folded alike when the parameter declares folding.
    private static func isCommon(_ value: String, in common: Set<String>, folding: Set<ParameterFolding>?) -> Bool {
        guard let folding else { return common.contains { $0.utf8.elementsEqual(value.utf8) } }
        return common.contains { ParameterFolding.fold($0, folding).utf8.elementsEqual(value.utf8) }
    }

    /// The value stored under exactly `name` (byte for byte: `String` equality would also match another Unicode
    /// spelling of the name, which a handler reading names as bytes tells apart).
    static func exactValue<Value>(_ dictionary: [String: Value], _ name: String) -> Value? {
        guard let index = dictionary.index(forKey: name), dictionary[index].key.utf8.elementsEqual(name.utf8) else {
            return nil
        }
        return dictionary[index].value
    }

    /// Whether `set` holds exactly `name`, byte for byte.
    static func containsExactly(_ set: Set<String>, _ name: String) -> Bool {
        guard let index = set.firstIndex(of: name) else { return false }
        return set[index].utf8.elementsEqual(name.utf8)
    }

    /// Checks the numbers and foldings; the message names the field.
    func validate() throws(CacheError) {
        guard self.highestCachedPage >= 1 else {
            throw CacheError(
                .invalidConfiguration, "pagination.highestCachedPage must be at least 1, got \(self.highestCachedPage)")
        }
        if case .offset(_, _, let defaultSize) = self.pageParameter, defaultSize < 1 {
            throw CacheError(
                .invalidConfiguration, "pagination.pageParameter.defaultSize must be at least 1, got \(defaultSize)")
        }
        for (name, folding) in self.parameterFolding {
            try ParameterFolding.validate(folding, name: name, field: "pagination.parameterFolding")
        }
    }

    /// `path?name=value&...` over `parameters` kept as they are: distinct names sorted by their bytes, each name's
    /// values in request order, everything percent-encoded, so no two different parameter lists produce the same text.
    static func canonicalKey(path: String, parameters: [(name: String, value: String)]) -> String {
        // No query (most requests): the path alone, as it is when it needs no escape.
        guard !parameters.isEmpty else { return KeyText.encoded(path, keeping: UInt8(ascii: "/")) }
        var grouped = QueryParameters()
        for (name, value) in parameters { grouped.append(name: name, value: value) }
        return grouped.key(path: path)
    }
}

/// Query parameters grouped by name (compared byte for byte), each name's values in request order.
struct QueryParameters {
    private var names: [[UInt8]] = []
    private var values: [[String]] = []

    mutating func append(name: String, value: String) {
        let bytes = Array(name.utf8)
        if let index = self.names.firstIndex(of: bytes) {
            self.values[index].append(value)
        } else {
            self.names.append(bytes)
            self.values.append([value])
        }
    }

    /// `path?name=value&...`, distinct names in byte order, values in request order, all percent-encoded.
    func key(path: String) -> String {
        var key = KeyText(capacity: 64 + path.utf8.count)
        key.appendEncoded(path, keeping: UInt8(ascii: "/"))
        var separator: StaticString = "?"
        for index in self.names.indices.sorted(by: { self.names[$0].lexicographicallyPrecedes(self.names[$1]) }) {
            let name = String(decoding: self.names[index], as: UTF8.self)
            for value in self.values[index] {
                key.append(separator)
                key.appendEncoded(name)
                key.append("=")
                key.appendEncoded(value)
                separator = "&"
            }
        }
        return key.string
    }
}
