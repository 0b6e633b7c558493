// What deciding a request costs: `CacheBoundaries.decide` (match the path, check identity, build the key) over a
// fixed mix of order-items requests, in interleaved rounds. `swift run -c release KeyRuleCost [rounds]` prints the
// median nanoseconds per decision. The same file builds against any version of CacheLayer that has
// `CacheBoundaries`, so two versions can be compared on one machine in one sitting (Benchmarks/README.md, "Key rule
// cost"); under `valgrind --tool=callgrind` with `KEY_RULE_COST_ONCE=1` it gives instruction counts.
import CacheLayer

#if canImport(Glibc)
import Glibc
#endif

let boundaries = try CacheBoundaries(
    [
        CacheEndpoint(
            name: "order-items",
            path: "/admin/order-items",
            ttl: .seconds(60),
            pagination: PaginationBoundary(
                highestCachedPage: 3,
                commonFilters: [
                    "status": ["open", "processing", "shipped", "delivered"], "sort": ["newest", "total"],
                ]
            ),
            varyHeaders: ["accept-language"]
        ),
        CacheEndpoint(name: "product", path: "/products/:id", ttl: .seconds(300)),
    ],
    metricsFactory: nil
)

let browserHeaders: [(name: String, value: String)] = [
    (name: "host", value: "shop.example"),
    (name: "accept-language", value: "en-GB,en;q=0.9"),
]

/// The mix: cached pages with and without filters, a deep page, an uncommon filter, a personalised request and a
/// product page.
let requests: [CacheRequest] = [
    CacheRequest(path: "/admin/order-items", query: [], headers: browserHeaders),
    CacheRequest(path: "/admin/order-items", query: [("page", "2"), ("status", "open")], headers: browserHeaders),
    CacheRequest(
        path: "/admin/order-items", query: [("status", "shipped"), ("sort", "newest"), ("page", "1")],
        headers: browserHeaders),
    CacheRequest(path: "/admin/order-items", query: [("page", "3"), ("sort", "total")], headers: browserHeaders),
    CacheRequest(path: "/admin/order-items", query: [("page", "17")], headers: browserHeaders),
    CacheRequest(path: "/admin/order-items", query: [("status", "refunded")], headers: browserHeaders),
    CacheRequest(
        path: "/admin/order-items", query: [("page", "1")],
        headers: browserHeaders + [(name: "authorization", value: "Bearer x")]),
    CacheRequest(path: "/products/42", query: [], headers: browserHeaders),
]

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Decides every request `repeats` times; returns nanoseconds per decision and a checksum of the keys' lengths.
func round(repeats: Int) -> (nanoseconds: Double, checksum: Int) {
    var checksum = 0
    let start = now()
    for _ in 0..<repeats {
        for request in requests {
            checksum &+= boundaries.decide(request).key?.utf8.count ?? 1
        }
    }
    let elapsed = now() - start
    return (Double(elapsed) / Double(repeats * requests.count), checksum)
}

if getenv("KEY_RULE_COST_ONCE") != nil {
    // For callgrind: a fixed amount of work.
    print("checksum", round(repeats: 10_000).checksum)
} else {
    let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 31 : 31
    _ = round(repeats: 2_000)  // warm-up
    var samples: [Double] = []
    for _ in 0..<rounds {
        samples.append(round(repeats: 5_000).nanoseconds)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    print("decisions per round: \(5_000 * requests.count), rounds: \(rounds)")
    print(
        "ns per decision: median \(Int(median.rounded())), min \(Int(samples.first!.rounded())), max \(Int(samples.last!.rounded()))"
    )
    for request in requests {
        let decision = boundaries.decide(request)
        print(
            "  \(request.path)?\(request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")) -> \(decision.key ?? decision.name)"
        )
    }
}
