import CacheLayerTestSupport
import CacheLayerAdvisor

/// Seeded traffic to paginated endpoints for the advisor tests: endpoints, pages and filter values each drawn from a
/// Zipf distribution (page 1 and the common values dominate, deep pages and rare values keep a long tail).
enum PaginationTraffic {
    /// `count` requests to `/stores/<n>/order-items` with a `status` (8 values), a `sort` (3 values) and a `page`.
    static func requests(endpoints: Int, pages: Int, count: Int, responseSize: Int, seed: UInt64) -> [EndpointRequest] {
        let statuses = ["open", "shipped", "delivered", "cancelled", "returned", "on-hold", "refunded", "failed"]
        let sorts = ["newest", "oldest", "total"]
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let endpoint = random.zipf(endpoints)
            let status = statuses[random.zipf(statuses.count)]
            let sort = sorts[random.zipf(sorts.count)]
            let page = random.zipf(pages) + 1
            return EndpointRequest(
                path: "/stores/\(endpoint)/order-items",
                query: [.init("status", status), .init("sort", sort), .init("page", String(page))],
                responseSize: responseSize
            )
        }
    }
}

extension SeededGenerator {
    /// A rank in 0 ..< count with probability proportional to 1 / (rank + 1).
    mutating func zipf(_ count: Int) -> Int {
        let weights = (1...count).map { 1.0 / Double($0) }
        var target = Double(self.next() >> 11) / Double(1 << 53) * weights.reduce(0, +)
        for (rank, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return rank }
        }
        return count - 1
    }
}
