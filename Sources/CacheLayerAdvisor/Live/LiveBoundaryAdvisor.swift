import CacheLayer

/// Recommends, from live traffic (a ``LiveTrafficSample``), how deep each endpoint should cache pages and which
/// filter values are common, sharing one memory budget between endpoints by what caching saves: requests per
/// minute x the origin's time per request, on the requests served from the cache.
///
/// For each endpoint, a request stream is drawn from the sample's counts (as many requests as it received, at most
/// ``replayLength``); each
/// candidate boundary of ``BoundaryAdvisor`` (pages 1 ... ``highestPages``, each filter's top values) is replayed
/// through the memory tier with room for everything, which gives its miss rate and the memory it takes. The budget
/// then goes, step by step, to the upgrade (a deeper or wider boundary of one endpoint) that saves the most origin
/// time per byte while it fits. An endpoint's bytes are what its sampled responses take, scaled up for the distinct
/// requests the sample missed (the Chao1 estimate). Each chosen boundary's miss rate is then predicted by replaying
/// its stream into a memory tier of exactly its allotted bytes, with the tier's real (second-chance) eviction.
///
/// ```swift
/// let advice = try await LiveBoundaryAdvisor(budget: 64 << 20).advise(sample.snapshot(), endpoints: endpoints)
/// for recommendation in advice.recommendations { print(recommendation.boundary, recommendation.predictedMissRate) }
/// ```
public struct LiveBoundaryAdvisor: Sendable {
    /// The memory all the endpoints' cached responses may use, in bytes.
    public var budget: Int
    /// The deepest highest-cached-page to try.
    public var highestPages: Int
    /// How many of each filter's most requested values to try as common (`nil`: all of them).
    public var filterValueCounts: [Int?]
    /// The most requests drawn per endpoint for the replays: an endpoint's stream has as many requests as it
    /// received, up to this.
    public var replayLength: Int
    /// The seed of the drawn streams.
    public var seed: UInt64

    /// Creates an advisor.
    public init(
        budget: Int,
        highestPages: Int = 10,
        filterValueCounts: [Int?] = [1, 2, 3, nil],
        replayLength: Int = 100_000,
        seed: UInt64 = 1
    ) {
        self.budget = budget
        self.highestPages = highestPages
        self.filterValueCounts = filterValueCounts
        self.replayLength = replayLength
        self.seed = seed
    }

    /// Recommends a boundary per endpoint of `traffic` (each endpoint's pagination settings come from `endpoints`,
    /// matched by name; an endpoint not among them paginates with `page`).
    /// - Throws: ``AdvisorError/Code/invalidArgument`` for a budget below 1 byte or no sampled requests.
    public func advise(
        _ traffic: LiveTraffic,
        endpoints: [CacheEndpoint] = [],
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws(AdvisorError) -> LiveAdvice {
        guard self.budget > 0 else {
            throw AdvisorError(.invalidArgument, "the budget is \(self.budget); it must be at least 1 byte")
        }
        var options: [Option] = []
        for (name, boundary) in traffic.boundaries.sorted(by: { $0.key < $1.key }) where name != "none" {
            // As many requests as the endpoint received (its first misses weigh as they did), up to replayLength.
            let length = min(self.replayLength, boundary.requests)
            let stream = SampledStream.requests(boundary.entries, count: length, seed: self.seed)
            guard !stream.isEmpty else { continue }
            progress("\(name): \(stream.count) requests drawn from \(boundary.entries.count) sampled requests")
            let pagination = endpoints.first { $0.name == name }?.pagination
            let advisor = BoundaryAdvisor(
                budget: self.budget,
                highestPages: self.highestPages,
                filterValueCounts: self.filterValueCounts,
                pageParameter: pagination?.pageParameter ?? .page("page"),
                volatileParameters: pagination?.volatileParameters ?? []
            )
            let measured = try await advisor.advise(stream) { progress("  " + $0) }
            options.append(
                Option(
                    boundary: name, stream: stream, traffic: boundary, candidates: measured.candidates,
                    pagination: pagination))
        }
        guard !options.isEmpty else { throw AdvisorError(.invalidArgument, "no sampled requests to advise on") }
        let chosen = Self.allocate(options, budget: self.budget)
        var recommendations: [LiveAdvice.Recommendation] = []
        for (option, index) in zip(options, chosen) {
            let origin = option.traffic.meanOriginMilliseconds ?? 0
            let rate = option.traffic.requestsPerMinute
            guard let index else {
                recommendations.append(
                    LiveAdvice.Recommendation(
                        boundary: option.boundary, candidate: nil, allottedBytes: 0, predictedMissRate: 1,
                        requestsPerMinute: rate, originMilliseconds: origin, savedMillisecondsPerMinute: 0))
                continue
            }
            let candidate = option.candidates[index]
            let allotted = max(option.bytes(candidate), 1)
            let predicted = try await Self.replay(option, candidate, bytes: allotted)
            recommendations.append(
                LiveAdvice.Recommendation(
                    boundary: option.boundary, candidate: candidate, allottedBytes: allotted,
                    predictedMissRate: predicted, requestsPerMinute: rate, originMilliseconds: origin,
                    savedMillisecondsPerMinute: rate * (1 - predicted) * origin))
            progress(
                "\(option.boundary): \(candidate.name), predicted miss rate \(NumberText.fixed(predicted * 100, decimals: 1))% in \(ByteCount.format(allotted))"
            )
        }
        return LiveAdvice(
            recommendations: recommendations.sorted { $0.savedMillisecondsPerMinute > $1.savedMillisecondsPerMinute },
            budget: self.budget)
    }

    /// One endpoint's measured candidates.
    struct Option {
        var boundary: String
        var stream: [EndpointRequest]
        var traffic: LiveTraffic.Boundary
        var candidates: [BoundaryAdvisor.Candidate]
        var pagination: PaginationBoundary?

        /// How much more memory the real traffic's distinct requests take than the sample's: the Chao1 estimate of
        /// the distinct requests (observed + f1² / 2 f2, f1 and f2 the requests sampled once and twice) over those
        /// observed. Rare requests the sample missed still need room.
        var unseenHeadroom: Double {
            let counts = self.traffic.entries.map(\.count)
            let once = Double(counts.filter { $0 == 1 }.count)
            let twice = Double(counts.filter { $0 == 2 }.count)
            guard !counts.isEmpty else { return 1 }
            let unseen = twice > 0 ? once * once / (2 * twice) : once * (once - 1) / 2
            return (Double(counts.count) + unseen) / Double(counts.count)
        }

        /// The bytes `candidate` is allotted: the memory its sampled responses take, with the unseen headroom.
        func bytes(_ candidate: BoundaryAdvisor.Candidate) -> Int {
            Int((Double(candidate.memoryNeeded) * self.unseenHeadroom).rounded(.up))
        }

        /// Origin milliseconds saved per minute by `candidate` with room for everything.
        func saving(_ candidate: BoundaryAdvisor.Candidate) -> Double {
            self.traffic.requestsPerMinute * (1 - candidate.missRate) * (self.traffic.meanOriginMilliseconds ?? 0)
        }
    }

    /// For each option, the candidate it gets (`nil`: none): starting from nothing cached, repeatedly the upgrade
    /// of one endpoint with the most saving per added byte that still fits the budget.
    static func allocate(_ options: [Option], budget: Int) -> [Int?] {
        var chosen: [Int?] = Array(repeating: nil, count: options.count)
        var used = 0
        while true {
            var best: (option: Int, candidate: Int, density: Double)?
            for (optionIndex, option) in options.enumerated() {
                let current = chosen[optionIndex].map { option.candidates[$0] }
                let currentBytes = current.map(option.bytes) ?? 0
                let currentSaving = current.map(option.saving) ?? 0
                for (candidateIndex, candidate) in option.candidates.enumerated() {
                    let addedBytes = option.bytes(candidate) - currentBytes
                    let addedSaving = option.saving(candidate) - currentSaving
                    guard addedSaving > 0, used + addedBytes <= budget else { continue }
                    let density = addedSaving / Double(max(addedBytes, 1))
                    if best == nil || density > best!.density {
                        best = (optionIndex, candidateIndex, density)
                    }
                }
            }
            guard let best else { return chosen }
            let option = options[best.option]
            let previous = chosen[best.option].map { option.bytes(option.candidates[$0]) } ?? 0
            used += option.bytes(option.candidates[best.candidate]) - previous
            chosen[best.option] = best.candidate
        }
    }

    /// The miss rate of `option`'s stream through `candidate` in a memory tier of `bytes`.
    static func replay(
        _ option: Option, _ candidate: BoundaryAdvisor.Candidate, bytes: Int
    ) async throws(AdvisorError) -> Double {
        let boundary = PaginationBoundary(
            pageParameter: option.pagination?.pageParameter ?? .page("page"),
            highestCachedPage: candidate.highestCachedPage,
            commonFilters: candidate.commonFilters.mapValues(Set.init),
            volatileParameters: option.pagination?.volatileParameters ?? []
        )
        let trace = BoundaryReplay.trace(option.stream, through: boundary)
        return 1 - (try await MemoryTierReplay().run(trace, capacity: .bytes(bytes))).hitRate
    }
}
