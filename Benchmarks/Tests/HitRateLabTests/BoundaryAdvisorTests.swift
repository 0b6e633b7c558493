import HitRateLab
import Testing

@Suite("Boundary advisor")
struct BoundaryAdvisorTests {
    private static let requests: [EndpointRequest] = {
        let workload = PaginationWorkload(endpointCount: 20, pageCount: 10, pageSkew: 1.0, requestCount: 6000, responseSize: 4096, seed: 11)
        return try! workload.requests()
    }()

    @Test("caching deeper pages lowers the miss rate and costs more memory")
    func deeperPagesTradeMemoryForMisses() async throws {
        let advice = try await BoundaryAdvisor(budget: 1 << 40, highestPages: 5, filterValueCounts: [nil]).advise(Self.requests)
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

    @Test("a request log of URLs or recorded cache keys is read, percent-encoding decoded")
    func requestLog() throws {
        let text = "url,size\n/orders?status=open&page=2,500\norders:/orders?status=on%20hold&page=1\n/orders\n"
        let requests = try RequestLog.parse(text, name: "log", defaultSize: 100)
        #expect(requests == [
            EndpointRequest(path: "/orders", query: [.init("status", "open"), .init("page", "2")], responseSize: 500),
            EndpointRequest(path: "/orders", query: [.init("status", "on hold"), .init("page", "1")], responseSize: 100),
            EndpointRequest(path: "/orders", query: [], responseSize: 100),
        ])
        #expect(throws: HitRateLabError(.malformedTrace, "log line 3: 'orders' is not a path (it should start with /) (expected path?query[,size])")) {
            try RequestLog.parse("/a\n/b\norders\n", name: "log", defaultSize: 1)
        }
    }
}
