import AsyncHTTPClient
import CacheLayer
import CacheLayerRedis
import Foundation
import InMemoryTracing
import OrderItems
import Testing
import Tracing

/// Two order-items servers sharing one Redis, each with a two-tier cache (`CACHE_TIERS=two`): a page one server
/// stored is answered by the other from Redis, then from its own memory; a write through one server reaches the
/// other's memory tier through Redis's invalidation, within the staleness window. Needs the test command's
/// redis-server (`CACHELAYER_REDIS_URL`, which scripts/test.sh sets); with `CI=true` and no server, it fails.
@Suite(.enabled(if: SharedRedis.url != nil || SharedRedis.isCI, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct TwoServersSmokeTests {

    /// One server's cache: a memory tier over the shared Redis, under `prefix`, with a tracer of its own.
    static func cache(prefix: String, tracer: InMemoryTracer) throws -> Cache {
        var redis = try RedisBackend.Configuration(url: try #require(SharedRedis.url, "CI=true needs a redis-server"))
        redis.keyPrefix = prefix
        let backend = try TwoTierBackend(
            memory: try MemoryBackend(byteBudget: 8 << 20), redis: try RedisBackend(configuration: redis))
        return try Cache(namespace: "responses", backend: backend, configuration: .init(tracer: tracer))
    }

    /// The first listing page from the server on `port`, with the `Host` a load balancer in front of both servers
    /// would send (the cache key holds the authority, so both servers must see the same one to share entries).
    static func get(_ port: Int) async throws -> (cacheStatus: String?, body: [UInt8]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(Visit(OrderItemsQuery()).target)")
        request.headers.replaceOrAdd(name: "Host", value: "shop.example")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (response.headers.first(name: "X-Cache"), Array(body.readableBytesView))
    }

    /// The `cache.tier` of each `cache.get` hit `tracer` saw, in order.
    static func tiers(_ tracer: InMemoryTracer) -> [String] {
        tracer.finishedSpans.filter { $0.operationName == "cache.get" }.compactMap {
            guard case .string(let tier) = $0.attributes.get("cache.tier"), $0.attributes.get("cache.hit") == true
            else { return nil }
            return tier
        }
    }

    @Test func aPageOneServerStoredIsServedByTheOtherAndAWriteReachesBoth() async throws {
        let directory = try TemporaryDirectory()
        let database = try await OrderDatabase.open(
            at: directory.url.appendingPathComponent("orders.sqlite"), scale: .small)
        defer { try? database.close() }
        let prefix = "two-servers-\(UInt32.random(in: 0...UInt32.max)):"
        let (tracerA, tracerB) = (InMemoryTracer(), InMemoryTracer())
        let (cacheA, cacheB) = (
            try Self.cache(prefix: prefix, tracer: tracerA), try Self.cache(prefix: prefix, tracer: tracerB)
        )
        try await SmokeServer.serve(database: database, cache: cacheA) { portA in
            try await SmokeServer.serve(database: database, cache: cacheB) { portB in
                let first = try await Self.get(portA)
                #expect(first.cacheStatus == "MISS")
                #expect(try await Self.get(portB).cacheStatus == "HIT")
                #expect(try await Self.get(portB).cacheStatus == "HIT")
                #expect(try await Self.get(portA).cacheStatus == "HIT")
                #expect(try await Self.get(portA).cacheStatus == "HIT")
                // A stored the page in Redis (a write leaves memory alone); each server's first hit came from Redis
                // and filled its memory tier, and the next from memory.
                #expect(Self.tiers(tracerB) == ["redis", "memory"])
                #expect(Self.tiers(tracerA) == ["redis", "memory"])
                // What a server started with --serve prints when it stops.
                let summary = SpanSummary(tracerB.finishedSpans)
                #expect(summary.cacheGetHitsByTier == ["redis": 1, "memory": 1])
                #expect(summary.lines.contains { $0.hasPrefix("hits by tier   memory 1, redis 1 ") })

                let item = try #require(
                    try JSONDecoder().decode(OrderItemsPage.self, from: Data(first.body)).items.first)
                let from = try #require(OrderStatus(rawValue: item.status))
                let to = WriteReplay.next(after: from)
                var request = HTTPClientRequest(
                    url: "http://127.0.0.1:\(portA)" + OrderStatusWrite.target(order: item.orderID, from: from, to: to))
                request.method = .PUT
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status.code == 204)
                // A's invalidation removed the page from Redis before A answered; B's memory tier drops it when
                // Redis's invalidation message reaches it (the staleness window: milliseconds). Bounded: 2 s.
                var status: String?
                for _ in 0..<200 {
                    let page = try await Self.get(portB)
                    status = try JSONDecoder().decode(OrderItemsPage.self, from: Data(page.body)).items
                        .first { $0.orderID == item.orderID }?.status
                    if status == to.rawValue { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(status == to.rawValue, "server B still showed the order as \(status ?? "absent") after 2 s")
                _ = try await database.changeStatus(ofOrder: item.orderID, from: nil, to: from)
            }
        }
        for cache in [cacheA, cacheB] { try await cache.removeAll() }
    }
}

/// The test command's redis-server, and whether a missing one is a failure (on CI) rather than a skip.
enum SharedRedis {
    static let url = ProcessInfo.processInfo.environment["CACHELAYER_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
}
