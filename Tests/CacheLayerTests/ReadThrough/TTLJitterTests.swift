import InMemoryTracing
import Testing

@testable import CacheLayer
import CacheLayerTesting

@Suite("TTL jitter")
struct TTLJitterTests {
    @Test func tenThousandJitteredTTLsStayInRangeAndSpreadOverIt() {
        let random = SeededCacheRandom(seed: 42)
        let ttl = Duration.seconds(100)
        let jitter = TTLJitter.proportional(0.1)
        let seconds = (0..<10_000).map { _ in
            let (whole, atto) = jitter.apply(to: ttl, unit: random.nextUnit()).components
            return Double(whole) + Double(atto) / 1e18
        }
        #expect(seconds.allSatisfy { (90.0...110.0).contains($0) })
        // Spread: each of 10 equal bins of [90, 110) holds 1,000 draws give or take 15%.
        var bins = [Int](repeating: 0, count: 10)
        for value in seconds {
            bins[min(9, Int((value - 90) / 2))] += 1
        }
        #expect(bins.allSatisfy { (850...1_150).contains($0) }, "bins: \(bins)")
        let mean = seconds.reduce(0, +) / Double(seconds.count)
        #expect(abs(mean - 100) < 0.2, "mean \(mean)")
        #expect(seconds.min()! < 90.1 && seconds.max()! > 109.9)
    }

    @Test func addedJitterOnlyLengthens() {
        let random = SeededCacheRandom(seed: 7)
        let values = (0..<1_000).map { _ in
            TTLJitter.added(upTo: .seconds(5)).apply(to: .seconds(60), unit: random.nextUnit())
        }
        #expect(values.allSatisfy { $0 >= .seconds(60) && $0 <= .seconds(65) })
        #expect(Set(values).count > 900)
    }

    @Test func seededSourcesReplay() {
        let first = SeededCacheRandom(seed: 9)
        let second = SeededCacheRandom(seed: 9)
        #expect((0..<100).map { _ in first.nextUnit() } == (0..<100).map { _ in second.nextUnit() })
    }

    @Test func theJitteredTTLIsWhatIsStoredAndReported() async throws {
        let clock = ManualCacheClock()
        let tracer = InMemoryTracer()
        let cache = try Cache(
            namespace: "jitter",
            backend: try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock)),
            configuration: .init(ttlJitter: .proportional(0.5), random: SeededCacheRandom(seed: 1), tracer: tracer)
        )
        try await cache.putBytes("k", [1], ttl: .seconds(100))
        let reported = try #require(tracer.finishedSpans.first?.attributes.get("cache.ttl"))
        guard case .int64(let seconds) = reported else {
            Issue.record("cache.ttl is not an integer: \(reported)")
            return
        }
        #expect((50...150).contains(seconds) && seconds != 100)
        // The memory tier expires the entry at the jittered deadline, not at the requested one.
        clock.advance(by: .seconds(Int(seconds)) - .milliseconds(600))
        #expect(try await cache.getBytes("k") == [1])
        clock.advance(by: .seconds(1) + .milliseconds(200))
        #expect(try await cache.getBytes("k") == nil)
    }
}
