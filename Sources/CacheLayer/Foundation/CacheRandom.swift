/// The source of random numbers for the policies that need them (TTL jitter), injectable so tests replay exactly.
public protocol CacheRandom: Sendable {
    /// A number drawn uniformly from `0..<1`.
    func nextUnit() -> Double
}

/// The system's random number generator.
public struct SystemCacheRandom: CacheRandom {
    /// Creates the system source.
    public init() {}

    public func nextUnit() -> Double {
        Double.random(in: 0..<1)
    }
}
