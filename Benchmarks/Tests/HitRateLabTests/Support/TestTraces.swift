import CacheLayerAdvisor
import HitRateLab

/// The traces the replay and optimum tests run on: skewed, uniform, a loop one key larger than the caches (LRU's
/// worst case), a scan mixed with hot keys, and bypasses mixed in. Every value is 1 byte ("unit sizes").
enum TestTraces {
    static func all() throws -> [(name: String, trace: RequestTrace)] {
        var traces: [(String, RequestTrace)] = []
        for (skew, keys, seed) in [(1.0, 200, 1), (0.6, 50, 2), (1.4, 1000, 3), (0.0, 30, 4)] as [(Double, Int, UInt64)]
        {
            let workload = ZipfWorkload(
                keyCount: keys, skew: skew, requestCount: 3000, valueSize: .fixed(1), seed: seed)
            traces.append(("zipf \(skew) over \(keys) keys", try workload.trace()))
        }
        traces.append(("loop of 11 keys", Self.trace((0..<2000).map { Int32($0 % 11) })))
        var generator = SplitMix64(seed: 9)
        let scanAndHot = (0..<3000).map { index -> Int32 in
            index % 3 == 0 ? Int32(generator.next() % 5) : Int32(5 + index % 400)
        }
        traces.append(("hot keys and a scan", Self.trace(scanAndHot)))
        let withBypasses = (0..<2000).map { index -> Int32 in index % 4 == 0 ? -1 : Int32(generator.next() % 40) }
        traces.append(("a quarter bypassed", Self.trace(withBypasses)))
        return traces
    }

    /// A trace of unit-size requests for the given keys (-1 is a bypass).
    static func trace(_ keys: [Int32]) -> RequestTrace {
        let keyCount = Int(keys.max() ?? -1) + 1
        return RequestTrace(
            keys: (0..<keyCount).map { "k\($0)" },
            requests: keys.map { $0 < 0 ? .bypass : RequestTrace.Request(key: $0, size: 1) }
        )
    }
}
