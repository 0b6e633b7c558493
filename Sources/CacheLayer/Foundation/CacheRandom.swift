import Synchronization

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

/// A seeded, reproducible source (SplitMix64), for tests and benchmarks. Safe to share between tasks.
public final class SeededCacheRandom: CacheRandom {
    private let state: Mutex<UInt64>

    /// Creates a source whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        self.state = Mutex(seed)
    }

    public func nextUnit() -> Double {
        let bits = self.state.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        // The top 53 bits, scaled into 0..<1.
        return Double(bits >> 11) * 0x1.0p-53
    }
}
