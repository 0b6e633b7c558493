import CacheLayer
import CacheLayerAdvisor
import CacheLayerTesting
import Foundation
import Testing

@Suite("Boundary advisor on live traffic")
struct LiveBoundaryAdvisorTests {
    /// An hour of two endpoints' traffic, every request recorded into a sample that counts one in five.
    static func sampled() -> (sample: LiveTrafficSample, traffic: [String: [EndpointRequest]]) {
        let clock = ManualCacheClock()
        let sample = LiveTrafficSample(sampleEvery: 5, clock: clock)
        let orderItems = PaginationTraffic.requests(endpoints: 1, pages: 10, count: 36_000, responseSize: 8192, seed: 3)
        let products = PaginationTraffic.requests(endpoints: 2, pages: 10, count: 6_000, responseSize: 4096, seed: 5)
        for request in orderItems {
            sample.record(
                boundary: "order-items", path: request.path, query: request.query.map { ($0.name, $0.value) },
                responseSize: request.responseSize, originTime: .milliseconds(700))
        }
        for request in products {
            sample.record(
                boundary: "products", path: request.path, query: request.query.map { ($0.name, $0.value) },
                responseSize: request.responseSize, originTime: .milliseconds(100))
        }
        clock.advance(by: .seconds(3_600))
        return (sample, ["order-items": orderItems, "products": products])
    }

    @Test func thePredictedMissRateIsWithinTwoPointsOfAReplayOfTheRealTrafficAtTheRecommendedBoundary() async throws {
        let (sample, traffic) = Self.sampled()
        let budget = 3 << 19  // 1.5 MiB: every cached order-items page of the candidates fits, and part of products'
        let advice = try await LiveBoundaryAdvisor(budget: budget, highestPages: 5, replayLength: 30_000).advise(
            sample.snapshot())
        #expect(advice.allottedBytes <= budget)
        #expect(advice.recommendations.map(\.boundary) == ["order-items", "products"], "ranked by origin time saved")
        let orderItems = try #require(advice.recommendations.first)
        #expect(abs(orderItems.requestsPerMinute - 600) < 0.001, "exact counts, not the sample's")
        #expect(orderItems.originMilliseconds == 700)
        #expect(orderItems.candidate != nil)
        for recommendation in advice.recommendations {
            guard let candidate = recommendation.candidate else { continue }
            let boundary = PaginationBoundary(
                highestCachedPage: candidate.highestCachedPage,
                commonFilters: candidate.commonFilters.mapValues(Set.init))
            let trace = BoundaryReplay.trace(try #require(traffic[recommendation.boundary]), through: boundary)
            let measured =
                1
                - (try await MemoryTierReplay().run(trace, capacity: .bytes(recommendation.allottedBytes)))
                .hitRate
            #expect(
                abs(recommendation.predictedMissRate - measured) <= 0.02,
                "\(recommendation.boundary), \(candidate.name): predicted \(recommendation.predictedMissRate), measured \(measured)"
            )
        }
    }

    @Test func aBudgetTooSmallForAnythingRecommendsNotCaching() async throws {
        let (sample, _) = Self.sampled()
        let advice = try await LiveBoundaryAdvisor(budget: 1_000, highestPages: 2, replayLength: 5_000).advise(
            sample.snapshot())
        #expect(advice.recommendations.allSatisfy { $0.candidate == nil && $0.predictedMissRate == 1 })
        #expect(advice.allottedBytes == 0)
    }

    @Test func theSampleCountsOneRequestInNAndEveryRequestsTotal() throws {
        let (sample, _) = Self.sampled()
        let snapshot = sample.snapshot()
        let orderItems = try #require(snapshot.boundaries["order-items"])
        #expect(orderItems.requests == 36_000)
        #expect(orderItems.entries.reduce(0) { $0 + $1.count } == 7_200)
        let decoded = try JSONDecoder().decode(LiveTraffic.self, from: try JSONEncoder().encode(snapshot))
        #expect(decoded == snapshot)
    }
}
