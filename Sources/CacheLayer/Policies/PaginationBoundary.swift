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
/// Canonical keys are order-insensitive, drop volatile parameters, normalise values (trimmed, lowercased,
/// integers without leading zeros, repeated values sorted) and percent-encode what they keep, so two requests share
/// a key exactly when their canonical parameters are equal.
public struct PaginationBoundary: Sendable {
    /// How the endpoint paginates.
    public enum PageParameter: Sendable, Hashable {
        /// `?page=N`, counting from 1; no parameter means page 1.
        case page(String)
        /// `?offset=N` with a page size from `sizeParameter` (or `defaultSize`); page = offset / size + 1.
        case offset(String, sizeParameter: String, defaultSize: Int)
        /// `?cursor=...`: only the first page (no cursor) is a cacheable page.
        case cursor(String)
    }

    /// What to do with a parameter that is neither a page, a filter, nor volatile.
    public enum UnknownParameterPolicy: Sendable, Hashable {
        /// Bypass the cache (the default): unknown parameters could multiply the keys without bound.
        case bypass
        /// Keep the parameter in the key.
        case includeInKey
    }

    /// Why a request is not cached. Low-cardinality: usable as a metric dimension and a span attribute.
    public struct BypassReason: Sendable, Hashable, CustomStringConvertible {
        /// The stable name: `deep_page`, `uncommon_filter`, `unknown_parameter`, `personalised`, `no_boundary`,
        /// `method`.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// A page beyond ``PaginationBoundary/highestCachedPage``, or a page value that is not a page.
        public static let deepPage = BypassReason("deep_page")
        /// A filter value outside the common set.
        public static let uncommonFilter = BypassReason("uncommon_filter")
        /// A parameter the boundary does not know.
        public static let unknownParameter = BypassReason("unknown_parameter")
        /// The request carries a user's identity and the boundary shares responses between users.
        public static let personalised = BypassReason("personalised")
        /// No endpoint of the ``CacheBoundaries`` matches the request's path.
        public static let noBoundary = BypassReason("no_boundary")
        /// The request's method is not one the endpoint caches (only GET and HEAD by default).
        public static let method = BypassReason("method")

        /// Every reason, in the order above.
        public static let all: [BypassReason] = [
            .deepPage, .uncommonFilter, .unknownParameter, .personalised, .noBoundary, .method,
        ]

        public var description: String { self.name }
    }

    /// The outcome for one request.
    public enum Decision: Sendable, Hashable {
        /// Cache under this canonical key.
        case cache(key: String)
        /// Do not cache.
        case bypass(BypassReason)
    }

    /// How the endpoint paginates.
    public var pageParameter: PageParameter
    /// The deepest page that is cached (1: only the first page).
    public var highestCachedPage: Int
    /// For each filter parameter, the (normalised) values that are common enough to cache.
    public var commonFilters: [String: Set<String>]
    /// Parameters that never change the response (cache busters, request ids, timestamps): dropped from keys.
    public var volatileParameters: Set<String>
    /// What to do with any other parameter.
    public var unknownParameters: UnknownParameterPolicy

    /// Creates a boundary. Parameter names are matched case-insensitively; filter values are normalised as
    /// request values are.
    public init(
        pageParameter: PageParameter = .page("page"),
        highestCachedPage: Int = 1,
        commonFilters: [String: Set<String>] = [:],
        volatileParameters: Set<String> = [],
        unknownParameters: UnknownParameterPolicy = .bypass
    ) {
        self.pageParameter = pageParameter
        self.highestCachedPage = max(1, highestCachedPage)
        self.commonFilters = Dictionary(
            commonFilters.map { (Self.normaliseName($0.key), Set($0.value.map(Self.normaliseValue))) },
            uniquingKeysWith: { $0.union($1) }
        )
        self.volatileParameters = Set(volatileParameters.map(Self.normaliseName))
        self.unknownParameters = unknownParameters
    }

    /// Decides for a request to `path` with `query` parameters (in any order, repeats allowed).
    public func decide(path: String, query: [(name: String, value: String)], isPersonalised: Bool = false) -> Decision {
        if isPersonalised { return .bypass(.personalised) }
        var kept: [String: [String]] = [:]
        var page: Int?
        var offset: Int?
        var size: Int?
        for (rawName, rawValue) in query {
            let name = Self.normaliseName(rawName)
            let value = Self.normaliseValue(rawValue)
            if self.volatileParameters.contains(name) { continue }
            switch self.pageParameter {
            case .page(let parameter) where name == Self.normaliseName(parameter):
                guard let number = Int(value), number >= 1, page == nil || page == number else { return .bypass(.deepPage) }
                page = number
                continue
            case .offset(let parameter, _, _) where name == Self.normaliseName(parameter):
                guard let number = Int(value), number >= 0, offset == nil || offset == number else { return .bypass(.deepPage) }
                offset = number
                continue
            case .offset(_, let sizeParameter, _) where name == Self.normaliseName(sizeParameter):
                guard let number = Int(value), number >= 1, size == nil || size == number else {
                    return .bypass(.unknownParameter)
                }
                size = number
                continue
            case .cursor(let parameter) where name == Self.normaliseName(parameter):
                if !value.isEmpty { return .bypass(.deepPage) }
                continue
            default:
                break
            }
            if let common = self.commonFilters[name] {
                guard common.contains(value) else { return .bypass(.uncommonFilter) }
                kept[name, default: []].append(value)
            } else if self.unknownParameters == .includeInKey {
                kept[name, default: []].append(value)
            } else {
                return .bypass(.unknownParameter)
            }
        }
        // The page number identifies the page in the key, so `?page=1` and no page parameter share one key, and
        // offsets 0...19 with size 20 are all page 1. The page size is part of the key: page 2 of 20 is not page 2 of 50.
        let pageNumber: Int
        switch self.pageParameter {
        case .page(let parameter):
            pageNumber = page ?? 1
            kept[Self.normaliseName(parameter)] = [String(pageNumber)]
        case .offset(_, let sizeParameter, let defaultSize):
            let pageSize = size ?? defaultSize
            pageNumber = (offset ?? 0) / pageSize + 1
            kept["page"] = [String(pageNumber)]
            kept[Self.normaliseName(sizeParameter)] = [String(pageSize)]
        case .cursor:
            pageNumber = 1
        }
        guard pageNumber <= self.highestCachedPage else { return .bypass(.deepPage) }
        return .cache(key: Self.canonicalKey(path: path, parameters: kept))
    }

    /// `path?name=value&...` with names sorted, each name's values sorted and de-duplicated, and every name and
    /// value percent-encoded, so no two different parameter sets can produce the same text.
    static func canonicalKey(path: String, parameters: [String: [String]]) -> String {
        var key = Self.percentEncoded(path, keeping: "/")
        var separator = "?"
        for name in parameters.keys.sorted() {
            for value in Set(parameters[name]!).sorted() {
                key += separator + Self.percentEncoded(name, keeping: "") + "=" + Self.percentEncoded(value, keeping: "")
                separator = "&"
            }
        }
        return key
    }

    static func normaliseName(_ name: String) -> String {
        name.trimmed.lowercased()
    }

    /// Trimmed, lowercased, and integers written without sign or leading zeros.
    static func normaliseValue(_ value: String) -> String {
        let trimmed = value.trimmed.lowercased()
        if let number = Int(trimmed) { return String(number) }
        return trimmed
    }

    static func percentEncoded(_ text: String, keeping extra: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            let unreserved =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || "-._~".unicodeScalars.contains(scalar)
                || extra.unicodeScalars.contains(scalar)
            if unreserved {
                encoded.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate var trimmed: String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
