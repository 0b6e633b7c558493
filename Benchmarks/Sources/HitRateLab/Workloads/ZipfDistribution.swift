import Foundation

/// Ranks 0 ..< count drawn with probability proportional to 1 / (rank + 1)^skew: skew 0 is uniform, 1 is the
/// classic Zipf law of web and cache traffic, larger is more concentrated on the first ranks.
///
/// Sampling inverts the cumulative distribution (built once, O(count) memory) by binary search: O(log count).
public struct ZipfDistribution: Sendable {
    /// How many ranks there are.
    public let count: Int
    /// The exponent.
    public let skew: Double
    private let cumulative: [Double]

    /// Creates the distribution.
    /// - Throws: ``HitRateLabError/Code/invalidArgument`` when `count` is not positive or `skew` is negative or not finite.
    public init(count: Int, skew: Double) throws(HitRateLabError) {
        guard count > 0 else { throw HitRateLabError(.invalidArgument, "the key count must be positive, got \(count)") }
        guard skew.isFinite, skew >= 0 else {
            throw HitRateLabError(.invalidArgument, "the Zipf skew must be zero or more, got \(skew)")
        }
        var cumulative: [Double] = []
        cumulative.reserveCapacity(count)
        var total = 0.0
        for rank in 0..<count {
            total += 1.0 / pow(Double(rank + 1), skew)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
        self.count = count
        self.skew = skew
    }

    /// Draws a rank.
    public func sample(using generator: inout SplitMix64) -> Int {
        let target = generator.nextUnit()
        var low = 0
        var high = self.count - 1
        while low < high {
            let middle = (low + high) / 2
            if self.cumulative[middle] > target {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }
}
