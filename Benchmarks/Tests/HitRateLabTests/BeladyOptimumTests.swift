import HitRateLab
import Testing

@Suite("Belady's optimum")
struct BeladyOptimumTests {
    @Test("the optimum hits at least as often as LRU on every test trace", arguments: [1, 3, 10, 50])
    func atLeastLRU(capacity: Int) throws {
        for (name, trace) in try TestTraces.all() {
            let optimum = BeladyOptimum.run(trace, capacity: capacity).hits
            let lru = ReferenceLRU.hits(trace.requests.map(\.key), capacity: capacity)
            #expect(optimum >= lru, "\(name), capacity \(capacity): optimum \(optimum) < LRU \(lru)")
        }
    }

    @Test("a known case: a loop of 3 keys in a cache of 2")
    func knownLoop() {
        // a b c a b c a b c: LRU never hits. The optimum keeps a and b and never admits c (needed last each
        // time): a and b hit twice each.
        let trace = TestTraces.trace([0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(ReferenceLRU.hits(trace.requests.map(\.key), capacity: 2) == 0)
        #expect(BeladyOptimum.run(trace, capacity: 2).hits == 4)
    }

    @Test("equals an exhaustive search over every admission and eviction choice on small traces")
    func equalsExhaustiveSearch() {
        var generator = SplitMix64(seed: 42)
        for round in 0..<60 {
            let length = 6 + round % 7
            let keys = (0..<length).map { _ in Int32(generator.next() % 5) }
            let trace = TestTraces.trace(keys)
            for capacity in 1...3 {
                #expect(
                    BeladyOptimum.run(trace, capacity: capacity).hits
                        == Self.bestHits(keys, capacity: capacity, cached: []),
                    "keys \(keys), capacity \(capacity)")
            }
        }
    }

    /// The most hits any policy can get: on a miss, try not caching the key and caching it in place of each
    /// cached key (or in a free slot).
    private static func bestHits(_ keys: ArraySlice<Int32>, capacity: Int, cached: Set<Int32>) -> Int {
        guard let key = keys.first else { return 0 }
        let rest = keys.dropFirst()
        if cached.contains(key) { return 1 + Self.bestHits(rest, capacity: capacity, cached: cached) }
        var best = Self.bestHits(rest, capacity: capacity, cached: cached)
        if cached.count < capacity {
            best = max(best, Self.bestHits(rest, capacity: capacity, cached: cached.union([key])))
        } else {
            for victim in cached {
                var next = cached
                next.remove(victim)
                next.insert(key)
                best = max(best, Self.bestHits(rest, capacity: capacity, cached: next))
            }
        }
        return best
    }

    private static func bestHits(_ keys: [Int32], capacity: Int, cached: Set<Int32>) -> Int {
        Self.bestHits(keys[...], capacity: capacity, cached: cached)
    }
}
