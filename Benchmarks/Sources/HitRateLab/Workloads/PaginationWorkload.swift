import CacheLayerAdvisor

/// Traffic to paginated list endpoints: which endpoint, which page and which filter values each request asks for.
///
/// Endpoints (`/stores/<n>/order-items`), pages and every filter's values are each drawn from a Zipf distribution,
/// so page 1 and the common filter values dominate while deep pages and rare values keep a long tail, as in the
/// seed article's logs. Every response is ``responseSize`` bytes.
public struct PaginationWorkload: Sendable, Hashable {
    /// A filter parameter and how its values are spread.
    public struct Filter: Sendable, Hashable {
        /// The parameter name, such as `status`.
        public var name: String
        /// Its values, most requested first.
        public var values: [String]
        /// The Zipf exponent over the values.
        public var skew: Double

        /// Creates a filter.
        public init(name: String, values: [String], skew: Double) {
            self.name = name
            self.values = values
            self.skew = skew
        }
    }

    /// How many distinct endpoints (stores) there are.
    public var endpointCount: Int
    /// The Zipf exponent over endpoints.
    public var endpointSkew: Double
    /// The deepest page anyone asks for.
    public var pageCount: Int
    /// The Zipf exponent over pages (page 1 is rank 0).
    public var pageSkew: Double
    /// The filters every request carries.
    public var filters: [Filter]
    /// How many requests to make.
    public var requestCount: Int
    /// Every response's size in bytes.
    public var responseSize: Int
    /// The seed of everything random.
    public var seed: UInt64

    /// The default filter mix: an order status with 8 values and a sort order with 3.
    public static let defaultFilters = [
        Filter(
            name: "status",
            values: ["open", "shipped", "delivered", "cancelled", "returned", "on-hold", "refunded", "failed"],
            skew: 1.0),
        Filter(name: "sort", values: ["newest", "oldest", "total"], skew: 1.0),
    ]

    /// Creates a workload.
    public init(
        endpointCount: Int,
        endpointSkew: Double = 1.0,
        pageCount: Int,
        pageSkew: Double,
        filters: [Filter] = Self.defaultFilters,
        requestCount: Int,
        responseSize: Int,
        seed: UInt64
    ) {
        self.endpointCount = endpointCount
        self.endpointSkew = endpointSkew
        self.pageCount = pageCount
        self.pageSkew = pageSkew
        self.filters = filters
        self.requestCount = requestCount
        self.responseSize = responseSize
        self.seed = seed
    }

    /// Generates the requests.
    /// - Throws: ``HitRateLabError/Code/invalidArgument`` for non-positive counts or sizes, or a negative skew.
    public func requests() throws(HitRateLabError) -> [EndpointRequest] {
        guard self.requestCount > 0 else {
            throw HitRateLabError(.invalidArgument, "the request count must be positive, got \(self.requestCount)")
        }
        guard self.responseSize > 0 else {
            throw HitRateLabError(.invalidArgument, "the response size must be positive, got \(self.responseSize)")
        }
        let endpoints = try ZipfDistribution(count: self.endpointCount, skew: self.endpointSkew)
        let pages = try ZipfDistribution(count: self.pageCount, skew: self.pageSkew)
        var filterDistributions: [ZipfDistribution] = []
        for filter in self.filters {
            filterDistributions.append(try ZipfDistribution(count: filter.values.count, skew: filter.skew))
        }
        var generator = SplitMix64(seed: self.seed)
        var requests: [EndpointRequest] = []
        requests.reserveCapacity(self.requestCount)
        for _ in 0..<self.requestCount {
            let endpoint = endpoints.sample(using: &generator)
            let page = pages.sample(using: &generator) + 1
            var query: [EndpointRequest.Parameter] = []
            for (filter, distribution) in zip(self.filters, filterDistributions) {
                query.append(.init(filter.name, filter.values[distribution.sample(using: &generator)]))
            }
            query.append(.init("page", String(page)))
            requests.append(
                EndpointRequest(path: "/stores/\(endpoint)/order-items", query: query, responseSize: self.responseSize))
        }
        return requests
    }
}
