/// Why a request bypasses the cache, whichever part of a boundary decided it (the endpoint match, the method, the
/// identity, the pagination). Low-cardinality: its ``name`` is the `decision` dimension of
/// `cache.boundary_decisions` and the `cache.decision` span attribute.
public struct BypassReason: Sendable, Hashable, CustomStringConvertible {
    /// The stable name: `deep_page`, `uncommon_filter`, `unknown_parameter`, `personalised`, `no_boundary`,
    /// `method`, `unaligned_offset`, `unresolved_tag`.
    public let name: String
    /// The position in ``all``.
    let ordinal: Int
    private init(_ name: String, _ ordinal: Int) {
        self.name = name
        self.ordinal = ordinal
    }

    /// A page beyond ``PaginationBoundary/highestCachedPage``, or a page or offset value that is not one
    /// (not a number, out of range, too large for `Int`).
    public static let deepPage = BypassReason("deep_page", 0)
    /// A filter value outside the common set.
    public static let uncommonFilter = BypassReason("uncommon_filter", 1)
    /// A parameter the boundary does not know, or a page size that is not a positive number.
    public static let unknownParameter = BypassReason("unknown_parameter", 2)
    /// The request carries a user's identity and the boundary shares responses between users.
    public static let personalised = BypassReason("personalised", 3)
    /// No endpoint of the ``CacheBoundaries`` matches the request's path.
    public static let noBoundary = BypassReason("no_boundary", 4)
    /// The request's method is not one the endpoint caches (only GET and HEAD by default).
    public static let method = BypassReason("method", 5)
    /// An offset that is not a multiple of the page size (`offset=19&limit=20`): not a page, so not cached.
    public static let unalignedOffset = BypassReason("unaligned_offset", 6)

    /// One of the endpoint's ``CacheEndpoint/tags`` cannot be built from the request (a query value it names is
    /// missing or empty, or the tag would be too long): storing the response without that tag would leave an entry
    /// that the writes it depends on cannot invalidate, so it is not cached.
    public static let unresolvedTag = BypassReason("unresolved_tag", 7)

    /// Every reason, in the order above.
    public static let all: [BypassReason] = [
        .deepPage, .uncommonFilter, .unknownParameter, .personalised, .noBoundary, .method, .unalignedOffset,
        .unresolvedTag,
    ]

    public var description: String { self.name }
}
