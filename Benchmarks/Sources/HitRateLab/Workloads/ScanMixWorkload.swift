import CacheLayerAdvisor

/// Zipf traffic with a loop mixed in: a share of the requests walks keys `scan:0`, `scan:1`, ... in order, over and
/// over, through more keys than the cache can hold. Each loop key comes back only after every other one, so caching
/// it never pays; plain recency policies (LRU, CLOCK) cache every one anyway and lose the popular Zipf keys to them,
/// which is what a scan-resistant policy must avoid.
public struct ScanMixWorkload: Sendable, Hashable {
    /// The Zipf part (its request count is the whole trace's).
    public var zipf: ZipfWorkload
    /// How many distinct keys the loop goes through.
    public var loopKeyCount: Int
    /// The share of requests that are the loop's, from 0 to 1.
    public var loopShare: Double

    /// Creates a workload.
    public init(zipf: ZipfWorkload, loopKeyCount: Int, loopShare: Double) {
        self.zipf = zipf
        self.loopKeyCount = loopKeyCount
        self.loopShare = loopShare
    }

    /// Generates the trace: the Zipf trace's requests, each replaced by the loop's next key with probability
    /// ``loopShare`` (drawn from its own seeded generator). Loop keys have the size of the Zipf key they replace the
    /// first time, so both parts have the same size distribution.
    /// - Throws: ``HitRateLabError/Code/invalidArgument`` for a loop of no keys or a share outside 0...1, or what the
    ///   Zipf part throws.
    public func trace() throws(HitRateLabError) -> RequestTrace {
        guard self.loopKeyCount > 0, self.loopKeyCount <= Int(Int32.max) - self.zipf.keyCount else {
            throw HitRateLabError(
                .invalidArgument,
                "the loop needs 1 to \(Int(Int32.max) - self.zipf.keyCount) keys, got \(self.loopKeyCount)")
        }
        guard self.loopShare >= 0, self.loopShare <= 1 else {
            throw HitRateLabError(.invalidArgument, "the loop share must be between 0 and 1, got \(self.loopShare)")
        }
        let base = try self.zipf.trace()
        var draws = SplitMix64(seed: self.zipf.seed ^ 0x5CA9_0000_0000_0002)
        var loopSizes = [Int32](repeating: -1, count: self.loopKeyCount)
        var next = 0
        var requests = base.requests
        for index in requests.indices where draws.nextUnit() < self.loopShare {
            if loopSizes[next] < 0 { loopSizes[next] = requests[index].size }
            requests[index] = RequestTrace.Request(key: Int32(base.keys.count + next), size: loopSizes[next])
            next = (next + 1) % self.loopKeyCount
        }
        return RequestTrace(keys: base.keys + (0..<self.loopKeyCount).map { "scan:\($0)" }, requests: requests)
    }
}
