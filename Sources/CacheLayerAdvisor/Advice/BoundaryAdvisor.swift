import CacheLayer

/// Measures candidate pagination boundaries on recorded traffic and recommends one for a memory budget: how many
/// pages, and which filter values, a ``CacheLayer/PaginationBoundary`` should cache, so that the miss rate and the
/// cache's memory are measured rather than guessed.
///
/// A candidate is a highest cached page (1 ... ``highestPages``) and a filter set: for each filter parameter seen in
/// the traffic, its `k` most requested values (for each `k` in ``filterValueCounts``; `nil` means every value
/// seen). Each candidate's traffic is replayed through the boundary into a real ``CacheLayer/MemoryBackend`` twice
/// (see ``MemoryTierReplay``): with room for everything (its miss rate when nothing is evicted, and the memory that
/// takes), and at the budget (its miss rate there, with the memory tier evicting). The recommendation is the
/// candidate with the lowest miss rate whose memory fits the budget (ties: less memory, then fewer pages); when none
/// fits, the one with the lowest miss rate at the budget.
///
/// The requests can come from a log (``RequestLog``) or from anywhere else that can describe them as
/// ``EndpointRequest`` values; ``AdviceTable`` renders the result.
///
/// ```swift
/// let requests = try RequestLog.read(path: "requests.csv", defaultSize: 8 << 10)
/// let advice = try await BoundaryAdvisor(budget: 64 << 20).advise(requests)
/// print(AdviceTable.text(advice, budget: 64 << 20))
/// ```
public struct BoundaryAdvisor: Sendable {
    /// The memory the cache may use, in bytes.
    public var budget: Int
    /// The deepest highest-cached-page to try.
    public var highestPages: Int
    /// How many of each filter's most requested values to treat as common (`nil`: all of them).
    public var filterValueCounts: [Int?]
    /// How the endpoint paginates.
    public var pageParameter: PaginationBoundary.PageParameter
    /// Parameters that never change the response.
    public var volatileParameters: Set<String>
    /// How the memory tier runs.
    public var memory: MemoryTierReplay

    /// Creates an advisor.
    public init(
        budget: Int,
        highestPages: Int = 10,
        filterValueCounts: [Int?] = [1, 2, 3, nil],
        pageParameter: PaginationBoundary.PageParameter = .page("page"),
        volatileParameters: Set<String> = [],
        memory: MemoryTierReplay = MemoryTierReplay()
    ) {
        self.budget = budget
        self.highestPages = highestPages
        self.filterValueCounts = filterValueCounts
        self.pageParameter = pageParameter
        self.volatileParameters = volatileParameters
        self.memory = memory
    }

    /// One measured boundary.
    public struct Candidate: Sendable, Hashable {
        /// The deepest cached page.
        public var highestCachedPage: Int
        /// How many values of each filter are common (`nil`: all seen).
        public var filterValues: Int?
        /// The common values per filter.
        public var commonFilters: [String: [String]]
        /// The share of requests the boundary sends to the cache.
        public var cachedShare: Double
        /// The miss rate (bypasses included) with room for everything.
        public var missRate: Double
        /// The bytes everything it caches takes in the memory tier.
        public var memoryNeeded: Int
        /// The miss rate with the cache at the budget.
        public var missRateAtBudget: Double
        /// Whether ``memoryNeeded`` fits the budget.
        public var fits: Bool

        /// `pages 1-3, top 2 filter values` or `page 1, all filter values`.
        public var name: String {
            let pages = self.highestCachedPage == 1 ? "page 1" : "pages 1-\(self.highestCachedPage)"
            let filters = self.filterValues.map { "top \($0) filter value\($0 == 1 ? "" : "s")" } ?? "all filter values"
            return "\(pages), \(filters)"
        }
    }

    /// The table and the choice.
    public struct Advice: Sendable {
        /// Every candidate, in the order measured (pages, then filter sets).
        public var candidates: [Candidate]
        /// The index of the recommended candidate.
        public var recommended: Int
        /// Why it was chosen.
        public var reason: String
        /// The candidate with the lowest miss rate at the budget, when that is lower than the recommendation's: a
        /// boundary whose responses do not all fit, but which, with the memory tier evicting, misses less than the one that fits.
        public var lowerMissRateWithEviction: Int?
    }

    /// Measures every candidate on `requests` and picks one.
    /// - Throws: ``AdvisorError/Code/invalidArgument`` for a budget or page count below 1, or no requests.
    public func advise(
        _ requests: [EndpointRequest], progress: @Sendable (String) -> Void = { _ in }
    ) async throws(AdvisorError) -> Advice {
        guard self.budget > 0 else {
            throw AdvisorError(.invalidArgument, "the budget is \(self.budget); it must be at least 1 byte")
        }
        guard self.highestPages >= 1 else {
            throw AdvisorError(.invalidArgument, "the highest page to try must be at least 1")
        }
        guard !requests.isEmpty else { throw AdvisorError(.invalidArgument, "no requests to advise on") }
        guard !self.filterValueCounts.isEmpty else {
            throw AdvisorError(.invalidArgument, "no filter value count to try")
        }
        let ranked = self.filterValuesByPopularity(requests)
        var candidates: [Candidate] = []
        for page in 1...self.highestPages {
            for count in self.filterValueCounts {
                let common = ranked.mapValues { values in count.map { Array(values.prefix($0)) } ?? values }
                let boundary = PaginationBoundary(
                    pageParameter: self.pageParameter,
                    highestCachedPage: page,
                    commonFilters: common.mapValues(Set.init),
                    volatileParameters: self.volatileParameters
                )
                let trace = BoundaryReplay.trace(requests, through: boundary)
                let unbounded = try await self.memory.run(trace, capacity: .bytes(1 << 50))
                let bounded = try await self.memory.run(trace, capacity: .bytes(self.budget))
                let needed = unbounded.bytesUsed ?? 0
                let candidate = Candidate(
                    highestCachedPage: page,
                    filterValues: count,
                    commonFilters: common,
                    cachedShare: Double(trace.cacheableCount) / Double(trace.requests.count),
                    missRate: 1 - unbounded.hitRate,
                    memoryNeeded: needed,
                    missRateAtBudget: 1 - bounded.hitRate,
                    fits: needed <= self.budget
                )
                progress(
                    "  \(candidate.name): miss rate \(NumberText.fixed(candidate.missRate * 100, decimals: 1))%, \(ByteCount.format(needed))"
                )
                candidates.append(candidate)
            }
        }
        let indices = candidates.indices
        let bestAtBudget = indices.min { left, right in
            let (a, b) = (candidates[left], candidates[right])
            return a.missRateAtBudget != b.missRateAtBudget
                ? a.missRateAtBudget < b.missRateAtBudget : Self.isBetter(a, b)
        }!
        if let best = indices.filter({ candidates[$0].fits }).min(by: { Self.isBetter(candidates[$0], candidates[$1]) })
        {
            let evictingIsBetter = candidates[bestAtBudget].missRateAtBudget < candidates[best].missRate
            return Advice(
                candidates: candidates,
                recommended: best,
                reason:
                    "the lowest miss rate among the boundaries whose cached responses fit in \(ByteCount.format(self.budget))",
                lowerMissRateWithEviction: evictingIsBetter ? bestAtBudget : nil
            )
        }
        return Advice(
            candidates: candidates,
            recommended: bestAtBudget,
            reason:
                "no boundary's cached responses fit in \(ByteCount.format(self.budget)); this one has the lowest miss rate at that budget, with the memory tier evicting",
            lowerMissRateWithEviction: nil
        )
    }

    /// Lower miss rate, then less memory, then fewer pages: whether `a` is the better choice.
    private static func isBetter(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.missRate != b.missRate { return a.missRate < b.missRate }
        if a.memoryNeeded != b.memoryNeeded { return a.memoryNeeded < b.memoryNeeded }
        return a.highestCachedPage < b.highestCachedPage
    }

    /// For each filter parameter (any parameter that is not the page, page size or volatile), its values, most
    /// requested first (ties in text order, so the result does not depend on hashing).
    func filterValuesByPopularity(_ requests: [EndpointRequest]) -> [String: [String]] {
        var paging: Set<String> = []
        switch self.pageParameter {
        case .page(let name): paging = [name.lowercased()]
        case .offset(let name, let size, _): paging = [name.lowercased(), size.lowercased()]
        case .cursor(let name): paging = [name.lowercased()]
        }
        let volatile = Set(self.volatileParameters.map { $0.lowercased() })
        var counts: [String: [String: Int]] = [:]
        for request in requests {
            for parameter in request.query {
                let name = String(parameter.name.trimmingWhitespace()).lowercased()
                guard !paging.contains(name), !volatile.contains(name) else { continue }
                counts[name, default: [:]][String(parameter.value.trimmingWhitespace()).lowercased(), default: 0] += 1
            }
        }
        return counts.mapValues { values in
            values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        }
    }
}
