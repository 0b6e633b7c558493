import CacheLayer

/// The order-items endpoint's cache boundary, as the seed article advises: the first page(s) with the common
/// filters are cached; deeper pages, rare statuses and rare sorts go to the database.
public enum OrderItemsBoundary {
    /// The endpoint's path.
    public static let path = "/admin/order-items"
    /// The boundary's name: the `boundary` dimension of `cache.boundary_decisions`.
    public static let name = "order-items"
    /// How long a cached page stays fresh.
    public static let ttl = Duration.seconds(60)

    /// The statuses and sorts common enough to cache. Cancelled, refunded and on-hold orders, and the oldest-first
    /// and by-customer sorts, are looked at rarely: caching them would mostly hold pages nobody asks for again.
    public static let commonFilters: [String: Set<String>] = [
        "status": [OrderStatus.open, .processing, .shipped, .delivered].map(\.rawValue).reduce(into: []) {
            $0.insert($1)
        },
        "sort": [OrderItemsSort.newest, .total].map(\.rawValue).reduce(into: []) { $0.insert($1) },
    ]

    /// The endpoint with pages `1...highestCachedPage` cached.
    public static func endpoint(highestCachedPage: Int) -> CacheEndpoint {
        CacheEndpoint(
            name: Self.name,
            path: Self.path,
            ttl: Self.ttl,
            pagination: PaginationBoundary(highestCachedPage: highestCachedPage, commonFilters: Self.commonFilters),
            tags: [OrderStatusWrite.listingTag]
        )
    }

    /// The server's boundaries: this endpoint, and the write endpoint's invalidation rule (``OrderStatusWrite``).
    public static func boundaries(highestCachedPage: Int) throws -> CacheBoundaries {
        try CacheBoundaries(
            [Self.endpoint(highestCachedPage: highestCachedPage)], invalidationRules: [OrderStatusWrite.rule])
    }
}
