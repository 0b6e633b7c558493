import CacheLayerAdvisor

/// Requests for `keyCount` keys, drawn from a Zipf distribution, each key with a value size of its own.
///
/// Key rank r (0 is the most popular) is named `key:r`; key sizes come from a generator seeded with `seed` and
/// requests from a second one, so the same settings always give the same trace.
public struct ZipfWorkload: Sendable, Hashable {
    /// How many distinct keys there are.
    public var keyCount: Int
    /// The Zipf exponent (1.0 is typical of web traffic).
    public var skew: Double
    /// How many requests to make.
    public var requestCount: Int
    /// Each key's value size.
    public var valueSize: ValueSizeDistribution
    /// The seed of everything random.
    public var seed: UInt64

    /// Creates a workload.
    public init(keyCount: Int, skew: Double, requestCount: Int, valueSize: ValueSizeDistribution, seed: UInt64) {
        self.keyCount = keyCount
        self.skew = skew
        self.requestCount = requestCount
        self.valueSize = valueSize
        self.seed = seed
    }

    /// Generates the trace.
    /// - Throws: ``HitRateLabError/Code/invalidArgument`` for a non-positive key or request count, or a negative skew.
    public func trace() throws(HitRateLabError) -> RequestTrace {
        guard self.requestCount > 0 else {
            throw HitRateLabError(.invalidArgument, "the request count must be positive, got \(self.requestCount)")
        }
        guard self.keyCount <= Int(Int32.max) else {
            throw HitRateLabError(.invalidArgument, "at most \(Int32.max) keys, got \(self.keyCount)")
        }
        let distribution = try ZipfDistribution(count: self.keyCount, skew: self.skew)
        var sizes = SplitMix64(seed: self.seed ^ 0x5A5A_0000_0000_0001)
        let keySizes = (0..<self.keyCount).map { _ in Int32(clamping: self.valueSize.draw(using: &sizes)) }
        var draws = SplitMix64(seed: self.seed)
        var requests: [RequestTrace.Request] = []
        requests.reserveCapacity(self.requestCount)
        for _ in 0..<self.requestCount {
            let rank = distribution.sample(using: &draws)
            requests.append(RequestTrace.Request(key: Int32(rank), size: keySizes[rank]))
        }
        return RequestTrace(keys: (0..<self.keyCount).map { "key:\($0)" }, requests: requests)
    }
}
