import CacheLayer
import Synchronization

/// A seeded, reproducible source of random numbers (SplitMix64), for tests and benchmarks that must replay exactly.
/// Safe to share between tasks.
///
/// ```swift
/// let configuration = Cache.Configuration(ttlJitter: .proportional(0.1), random: SeededCacheRandom(seed: 7))
/// ```
public final class SeededCacheRandom: CacheRandom {
    private let state: Mutex<UInt64>

    /// Creates a source whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        self.state = Mutex(seed)
    }

    /// The next number of the sequence, in `0..<1`.
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
