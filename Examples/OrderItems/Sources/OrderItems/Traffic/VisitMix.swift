import CacheLayer
import CacheLayerTesting

/// A seeded, reproducible mix of order-items page views, shaped like an admin listing's traffic: most people look
/// at the first pages, fewer page on, a few go deep, and most use the default or a common filter.
///
/// | what | share of visits |
/// |---|---|
/// | page 1 | 25% |
/// | pages 2, 3, 4, 5, 6 | 12%, 10%, 8%, 6%, 4% (40% together) |
/// | pages 7 to 20 | 22%, falling off as 1/page |
/// | pages 21 to 100 | 13%, falling off as 1/page |
/// | status: all, open, processing, shipped, delivered | 55%, 15%, 8%, 10%, 7% |
/// | status: cancelled, refunded, on hold (uncommon) | 3%, 1%, 1% |
/// | sort: newest, total | 78%, 17% |
/// | sort: oldest, customer (uncommon) | 3%, 2% |
///
/// Page, status and sort are drawn independently, so about 10% of visits carry an uncommon filter.
public struct VisitMix: Sendable {
    /// Each page's weight.
    static let pageWeights: [(Int, weight: Double)] = {
        var weights: [(Int, weight: Double)] = [(1, 25), (2, 12), (3, 10), (4, 8), (5, 6), (6, 4)]
        weights += Self.harmonic(pages: 7...20, total: 22)
        weights += Self.harmonic(pages: 21...100, total: 13)
        return weights
    }()

    static let statusWeights: [(OrderStatus?, weight: Double)] = [
        (nil, 55), (.open, 15), (.processing, 8), (.shipped, 10), (.delivered, 7),
        (.cancelled, 3), (.refunded, 1), (.onHold, 1),
    ]

    static let sortWeights: [(OrderItemsSort, weight: Double)] = [
        (.newest, 78), (.total, 17), (.oldest, 3), (.customer, 2),
    ]

    /// The seed of the sequence.
    public let seed: UInt64

    /// Creates the mix whose visits `seed` fixes.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The first `count` visits of this mix's sequence.
    public func visits(_ count: Int) -> [Visit] {
        let random = SeededCacheRandom(seed: self.seed)
        return (0..<count).map { _ in
            let page = Self.draw(Self.pageWeights, random)
            let status = Self.draw(Self.statusWeights, random)
            let sort = Self.draw(Self.sortWeights, random)
            return Visit(OrderItemsQuery(page: page, status: status, sort: sort))
        }
    }

    /// Pages weighted as 1/page, scaled so they add up to `total`.
    private static func harmonic(pages: ClosedRange<Int>, total: Double) -> [(Int, weight: Double)] {
        let sum = pages.reduce(0.0) { $0 + 1.0 / Double($1) }
        return pages.map { ($0, total * (1.0 / Double($0)) / sum) }
    }

    /// An element drawn with probability proportional to its weight.
    private static func draw<Element>(_ weighted: [(Element, weight: Double)], _ random: SeededCacheRandom) -> Element {
        let total = weighted.reduce(0) { $0 + $1.weight }
        var point = random.nextUnit() * total
        for entry in weighted {
            point -= entry.weight
            if point < 0 { return entry.0 }
        }
        return weighted[weighted.count - 1].0
    }
}
