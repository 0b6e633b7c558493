import CacheLayerAdvisor
import HitRateLab
import Testing

@Suite("Memory tier replay")
struct MemoryTierReplayTests {
    @Test(
        "with unit sizes and an object capacity, the memory tier's hits equal a naive second-chance simulation",
        arguments: [1, 2, 7, 10, 64]
    )
    func matchesReferenceSecondChance(capacity: Int) async throws {
        for (name, trace) in try TestTraces.all() {
            let counts = try await MemoryTierReplay(evictionPolicy: .secondChance).run(
                trace, capacity: .objects(capacity))
            let expected = ReferenceSecondChance.hits(trace.requests.map(\.key), capacity: capacity)
            #expect(counts.hits == expected, "\(name), capacity \(capacity)")
            #expect(counts.requests == trace.requests.count)
        }
    }

    @Test("a byte budget is never exceeded, and a bigger budget never hits less on a Zipf trace")
    func budgetHolds() async throws {
        let trace = try ZipfWorkload(
            keyCount: 2000, skew: 1.0, requestCount: 20_000, valueSize: .uniform(100...3000), seed: 5
        ).trace()
        var previous = -1
        for budget in [64 << 10, 256 << 10, 1 << 20, 4 << 20] {
            let counts = try await MemoryTierReplay().run(trace, capacity: .bytes(budget))
            #expect(counts.bytesUsed! <= budget)
            #expect(counts.hits >= previous)
            previous = counts.hits
        }
    }

    @Test("time-to-live runs on the virtual clock: a key asked for again after its TTL misses")
    func ttlExpiresOnVirtualTime() async throws {
        // 1 request per second of virtual time; a 2.5 s TTL: hit at +1 s and +2 s, miss at +3 s.
        let requests = (0..<4).map { _ in RequestTrace.Request(key: 0, size: 10, ttlMilliseconds: 2500) }
        let trace = RequestTrace(keys: ["a"], requests: requests)
        let counts = try await MemoryTierReplay(requestsPerSecond: 1).run(trace, capacity: .bytes(1 << 20))
        #expect(counts.hits == 2)
    }
}
