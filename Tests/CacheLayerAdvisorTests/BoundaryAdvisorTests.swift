import CacheLayerAdvisor
import Testing

@Suite("Boundary advisor")
struct BoundaryAdvisorTests {
    private static let requests = PaginationTraffic.requests(
        endpoints: 20, pages: 10, count: 6000, responseSize: 4096, seed: 11)

    @Test("caching deeper pages lowers the miss rate and costs more memory")
    func deeperPagesTradeMemoryForMisses() async throws {
        let advice = try await BoundaryAdvisor(budget: 1 << 40, highestPages: 5, filterValueCounts: [nil]).advise(
            Self.requests)
        #expect(advice.candidates.map(\.highestCachedPage) == [1, 2, 3, 4, 5])
        for (shallow, deep) in zip(advice.candidates, advice.candidates.dropFirst()) {
            #expect(deep.missRate < shallow.missRate)
            #expect(deep.memoryNeeded > shallow.memoryNeeded)
        }
        // Everything fits: the lowest miss rate wins.
        #expect(advice.recommended == 4)
    }

    @Test("recommends the lowest miss rate that fits the budget")
    func fitsTheBudget() async throws {
        let everything = try await BoundaryAdvisor(budget: 1 << 40, highestPages: 4).advise(Self.requests)
        // A budget between the cheapest and the dearest candidate.
        let sorted = everything.candidates.map(\.memoryNeeded).sorted()
        let budget = sorted[sorted.count / 2]
        let advice = try await BoundaryAdvisor(budget: budget, highestPages: 4).advise(Self.requests)
        let chosen = advice.candidates[advice.recommended]
        #expect(chosen.fits && chosen.memoryNeeded <= budget)
        for candidate in advice.candidates where candidate.fits {
            #expect(candidate.missRate >= chosen.missRate)
        }
        #expect(advice.candidates.contains { !$0.fits })
        // Anything it points to instead does not fit, and misses less at the budget than the choice does overall.
        if let index = advice.lowerMissRateWithEviction {
            #expect(!advice.candidates[index].fits)
            #expect(advice.candidates[index].missRateAtBudget < chosen.missRate)
        }
    }

    @Test("when nothing fits it says so and picks the best miss rate at the budget")
    func nothingFits() async throws {
        let advice = try await BoundaryAdvisor(budget: 1000, highestPages: 2).advise(Self.requests)
        #expect(advice.candidates.allSatisfy { !$0.fits })
        #expect(advice.reason.hasPrefix("no boundary's cached responses fit"))
    }

    @Test("a budget or page count below 1, no filter value count, or no requests is refused before anything runs")
    func refusesBadArguments() async {
        for advisor in [
            BoundaryAdvisor(budget: 0), BoundaryAdvisor(budget: 1 << 20, highestPages: 0),
            BoundaryAdvisor(budget: 1 << 20, filterValueCounts: []),
        ] {
            await #expect { try await advisor.advise(Self.requests) } throws: {
                ($0 as? AdvisorError)?.code == .invalidArgument
            }
        }
        await #expect { try await BoundaryAdvisor(budget: 1 << 20).advise([]) } throws: {
            ($0 as? AdvisorError)?.code == .invalidArgument
        }
    }
}
