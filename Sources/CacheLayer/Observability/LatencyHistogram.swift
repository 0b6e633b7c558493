/// Request durations counted in buckets of a quarter octave (a bucket's upper edge is at most 25% above its lower
/// edge), from 1 ns to `Int64.max` ns: a fixed 252 counters, so a percentile is read from counts without keeping
/// the durations.
///
/// Two snapshots of a running histogram subtract (``subtracting(_:)``), which gives the histogram of the requests
/// in between: that is how a monitor reads the p95 of the last minute.
///
/// ```swift
/// var histogram = LatencyHistogram()
/// histogram.record(.milliseconds(40))
/// histogram.percentile(0.95)  // about 40 ms (the middle of its bucket)
/// ```
public struct LatencyHistogram: Sendable, Equatable {
    /// The number of buckets.
    public static let bucketCount = 252

    /// The count of each bucket, index 0 (durations under 1 ns) upwards.
    public private(set) var counts: [Int]

    /// An empty histogram.
    public init() {
        self.counts = Array(repeating: 0, count: Self.bucketCount)
    }

    /// The durations counted.
    public var count: Int { self.counts.reduce(0, +) }

    /// Counts `duration` (a negative one as zero) `times` times.
    public mutating func record(_ duration: Duration, times: Int = 1) {
        self.counts[Self.bucket(ofNanoseconds: duration.clampedNanoseconds)] += times
    }

    /// Counts `times` durations in the bucket of `nanoseconds`.
    mutating func record(nanoseconds: UInt64, times: Int = 1) {
        self.counts[Self.bucket(ofNanoseconds: nanoseconds)] += times
    }

    /// The duration below which a fraction `quantile` (0...1) of the counted durations fall, as the middle of the
    /// bucket that holds it; `nil` when nothing is counted.
    public func percentile(_ quantile: Double) -> Duration? {
        let total = self.count
        guard total > 0 else { return nil }
        let rank = max(1, Int((min(max(quantile, 0), 1) * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in self.counts.enumerated() {
            seen += count
            if seen >= rank {
                let (lower, upper) = Self.edges(ofBucket: index)
                return .nanoseconds(Int64(clamping: lower / 2 + upper / 2))
            }
        }
        return nil
    }

    /// The durations counted in `self` and not in `earlier` (an older snapshot of the same histogram), bucket by
    /// bucket, never below zero.
    public func subtracting(_ earlier: LatencyHistogram) -> LatencyHistogram {
        var difference = LatencyHistogram()
        for index in 0..<Self.bucketCount {
            difference.counts[index] = max(0, self.counts[index] - earlier.counts[index])
        }
        return difference
    }

    /// Both histograms' counts together.
    public func adding(_ other: LatencyHistogram) -> LatencyHistogram {
        var sum = self
        for index in 0..<Self.bucketCount {
            sum.counts[index] += other.counts[index]
        }
        return sum
    }

    /// Values 0...3 have a bucket each; above, a power of two `2^e` starts four buckets of `2^(e-2)` each.
    static func bucket(ofNanoseconds value: UInt64) -> Int {
        guard value >= 4 else { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let quarter = Int((value >> UInt64(exponent - 2)) & 3)
        return 4 * (exponent - 1) + quarter
    }

    /// A bucket's lower (included) and upper (excluded) edges, in nanoseconds.
    static func edges(ofBucket index: Int) -> (lower: UInt64, upper: UInt64) {
        guard index >= 4 else { return (UInt64(index), UInt64(index) + 1) }
        let exponent = index / 4 + 1
        let width = UInt64(1) << UInt64(exponent - 2)
        let lower = UInt64(4 + index % 4) * width
        return (lower, lower &+ width == 0 ? UInt64.max : lower + width)
    }
}
