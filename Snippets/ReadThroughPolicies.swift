// Read-through under each stampede policy: single-flight, a distributed lock, stale-while-revalidate, early
// refresh and TTL jitter, per call or as a cache's default.
//
// Run it with `swift run ReadThroughPolicies`.

// snippet.hide
import CacheLayer
import CacheLayerTesting
import Synchronization

struct Report: Codable, Sendable {
    var rows: Int
}

/// How many times `buildReport` ran.
enum Loads {
    static let count = Atomic<Int>(0)
}

/// Stands in for a slow query.
@Sendable func buildReport() async throws -> Report {
    Loads.count.add(1, ordering: .relaxed)
    try await Task.sleep(for: .milliseconds(50))
    return Report(rows: 42)
}

func singleFlight(_ cache: Cache) async throws {
    // snippet.show
    // snippet.single-flight
    // 100 concurrent misses of one key: buildReport runs once, and every caller gets its report.
    try await withThrowingTaskGroup(of: Report.self) { group in
        for _ in 0..<100 {
            group.addTask {
                try await cache.getOrLoad(key: "report:today", ttl: .seconds(60)) { try await buildReport() }
            }
        }
        for try await _ in group {}
    }
    // snippet.end
    // snippet.hide
    print("100 concurrent misses, \(Loads.count.load(ordering: .relaxed)) load")
}

func policies(_ cache: Cache) async throws {
    // snippet.show
    // snippet.lock
    let locked = LoadPolicy(
        lock: LoadPolicy.Lock(
            lease: .seconds(10),  // longer than the slowest load: a crashed holder is replaced after it
            maximumWait: .seconds(2),  // then load anyway (.load, the default) or throw lockTimeout (.fail)
            onTimeout: .load
        )
    )
    let report = try await cache.getOrLoad(key: "report:today", ttl: .seconds(60), policy: locked) {
        try await buildReport()
    }
    // snippet.end

    // snippet.grace
    // For 30 s after the TTL, callers get the stale report at once while one background load replaces it.
    let graceful = LoadPolicy(gracePeriod: .seconds(30))
    let dashboard = try await cache.getOrLoad(key: "report:dashboard", ttl: .seconds(60), policy: graceful) {
        try await buildReport()
    }
    // snippet.end

    // snippet.early-refresh
    // Reads refresh a fresh entry in the background more and more often as its expiry nears (XFetch).
    let early = LoadPolicy(earlyRefresh: EarlyRefresh(beta: 1))
    let weekly = try await cache.getOrLoad(key: "report:weekly", ttl: .seconds(600), policy: early) {
        try await buildReport()
    }
    // snippet.end
    // snippet.hide
    print("reports: \(report.rows), \(dashboard.rows), \(weekly.rows)")
}

func defaults() throws {
    let memory = try MemoryBackend(byteBudget: 64 << 20)
    // snippet.show
    // snippet.defaults
    // Every getOrLoad of this cache that names no policy of its own: a lock, 30 s of grace, and early refresh.
    let configuration = Cache.Configuration(
        loadPolicy: LoadPolicy(
            lock: LoadPolicy.Lock(lease: .seconds(10), maximumWait: .seconds(2)),
            gracePeriod: .seconds(30),
            earlyRefresh: EarlyRefresh()
        )
    )
    let reports = try Cache(namespace: "reports", backend: memory, configuration: configuration)
    // snippet.end

    // snippet.jitter
    // Each TTL drawn from 54...66 s for 60 s, so keys written together do not expire together.
    let spread = try Cache(
        namespace: "catalogue",
        backend: memory,
        configuration: Cache.Configuration(ttlJitter: .proportional(0.1))
    )
    // Or lengthen each TTL by up to 5 s, never shorten it; per load, a policy's jitter replaces the cache's.
    let lengthened = LoadPolicy(ttlJitter: .added(upTo: .seconds(5)))
    // In tests, a seeded source (CacheLayerTesting) makes every jittered TTL reproducible.
    let reproducible = Cache.Configuration(ttlJitter: .proportional(0.1), random: SeededCacheRandom(seed: 7))
    // snippet.end
    // snippet.hide
    print(
        reports.namespace, spread.namespace, lengthened.ttlJitter != nil, reproducible.ttlJitter == .proportional(0.1))
}

func failSafe(_ cache: Cache) async throws {
    // snippet.show
    // snippet.fail-safe
    let failSafe = LoadPolicy(
        maximumStaleAge: .seconds(3_600),  // keep entries an hour past their TTL, for when the origin fails
        failSafeThrottle: .seconds(30),  // after a failure, serve the stale value 30 s before trying again
        softTimeout: .milliseconds(200),  // a stale value after 200 ms; the load goes on and stores its value
        hardTimeout: .seconds(2)  // past 2 s: cancel the load; stale value, or CacheError loaderTimeout
    )
    let prices = try await cache.getOrLoad(key: "report:prices", ttl: .seconds(60), policy: failSafe) {
        try await buildReport()
    }
    // snippet.end
    // snippet.hide
    print("prices: \(prices.rows)")
}

func inline(_ cache: Cache) async throws {
    // snippet.show
    // snippet.read-through
    // A loader that must run in the caller's task (a middleware's `next`), over bytes with a format of their own.
    let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    let page = try await cache.readThrough(key: "/about", ttl: .seconds(60), coding: coding) {
        Array("<h1>About</h1>".utf8)
    }
    switch page.source {
    case .hit, .stale: print("from the cache")
    case .loaded: print("this caller ran the loader")
    case .shared: print("another caller's load")
    }
    // snippet.end
    // snippet.hide
}

let cache = try Cache(namespace: "reports", backend: MemoryBackend(byteBudget: 64 << 20))
try await singleFlight(cache)
try await policies(cache)
try defaults()
try await failSafe(cache)
try await inline(cache)
