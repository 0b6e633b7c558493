/// What ``LiveBoundaryAdvisor`` recommends: one boundary per endpoint sampled, ranked by what caching it saves.
public struct LiveAdvice: Sendable {
    /// One endpoint's recommendation.
    public struct Recommendation: Sendable {
        /// The endpoint (boundary) name.
        public var boundary: String
        /// The recommended pagination boundary (pages and common filter values); `nil` when caching it is not worth
        /// its memory within the budget.
        public var candidate: BoundaryAdvisor.Candidate?
        /// The bytes of the budget it gets (what its cached responses take).
        public var allottedBytes: Int
        /// The miss rate predicted at ``allottedBytes``, replayed through the memory tier (with its real eviction);
        /// 1 when not cached.
        public var predictedMissRate: Double
        /// Requests per minute, from the sample's exact counts.
        public var requestsPerMinute: Double
        /// The origin's mean time per request, in milliseconds: what a hit saves.
        public var originMilliseconds: Double
        /// The article's cost density: requests per minute x the time a hit saves, over the requests this boundary
        /// serves from the cache: milliseconds of origin time saved per minute.
        public var savedMillisecondsPerMinute: Double
    }

    /// The recommendations, most origin time saved first.
    public var recommendations: [Recommendation]
    /// The budget shared between them.
    public var budget: Int

    /// The bytes allotted altogether (never more than ``budget``).
    public var allottedBytes: Int { self.recommendations.reduce(0) { $0 + $1.allottedBytes } }
}
