import CacheLayerAdvisor

/// How big each key's value is: one size for all, or a size drawn once per key, uniformly from a range.
public enum ValueSizeDistribution: Sendable, Hashable, CustomStringConvertible {
    /// Every value has this many bytes.
    case fixed(Int)
    /// Each key's value size is drawn uniformly from the range (inclusive), once, from the run's seed.
    case uniform(ClosedRange<Int>)

    /// Reads `1KiB` (fixed) or `uniform:100-10KiB`.
    /// - Throws: ``HitRateLabError/Code/invalidArgument`` for anything else, or a size of zero.
    public init(parsing text: String) throws(HitRateLabError) {
        if text.lowercased().hasPrefix("uniform:") {
            let bounds = text.dropFirst("uniform:".count).split(separator: "-", maxSplits: 1)
            guard bounds.count == 2 else {
                throw HitRateLabError(.invalidArgument, "the value size '\(text)' should look like uniform:100-10KiB")
            }
            let low = try Self.parse(String(bounds[0]), what: "the smallest value size")
            let high = try Self.parse(String(bounds[1]), what: "the largest value size")
            guard low >= 1, low <= high else {
                throw HitRateLabError(
                    .invalidArgument, "the value size range '\(text)' must be 1 byte or more, smallest first")
            }
            self = .uniform(low...high)
        } else {
            let size = try Self.parse(
                text.hasPrefix("fixed:") ? String(text.dropFirst(6)) : text, what: "the value size")
            guard size >= 1 else {
                throw HitRateLabError(.invalidArgument, "the value size '\(text)' must be at least 1 byte")
            }
            self = .fixed(size)
        }
    }

    /// A byte count, with the advisor's error as the lab's.
    private static func parse(_ text: String, what: String) throws(HitRateLabError) -> Int {
        try HitRateLabError.mapping { () throws(AdvisorError) in try ByteCount.parse(text, what: what) }
    }

    /// Draws the size of one key's value.
    public func draw(using generator: inout SplitMix64) -> Int {
        switch self {
        case .fixed(let size):
            return size
        case .uniform(let range):
            let span = UInt64(range.upperBound - range.lowerBound + 1)
            return range.lowerBound + Int(generator.next() % span)
        }
    }

    public var description: String {
        switch self {
        case .fixed(let size): return ByteCount.format(size)
        case .uniform(let range):
            return "uniform \(ByteCount.format(range.lowerBound))-\(ByteCount.format(range.upperBound))"
        }
    }
}
