// The Redis backends: one server (RedisBackend) or a Redis Cluster (RedisClusterBackend), configured in code or
// from URLs, and the server gauges service.
//
// `swift run RedisBackends redis://127.0.0.1:6379` writes and reads one key on that server; without an argument it
// only builds the configurations.

// snippet.hide
import CacheLayer
import CacheLayerRedis
import Logging
import ServiceLifecycle

struct Order: Codable, Sendable {
    var id: Int
    var lines: Int
}

func singleServer() throws -> RedisBackend.Configuration {
    // snippet.show
    // snippet.url
    var configuration = try RedisBackend.Configuration(url: "redis://cache:secret@127.0.0.1:6379/0")
    configuration.keyPrefix = "myapp:"  // keys are myapp:<namespace>:<key>
    configuration.commandTimeout = .milliseconds(100)
    // snippet.end

    // snippet.code
    let socket = RedisBackend.Configuration(
        endpoint: .unixSocket(path: "/run/redis/redis.sock"),
        database: 2,
        connectionCount: 4,  // connections, each with an I/O thread of its own
        reconnection: .init(failureThreshold: 3, coolDown: .seconds(1))  // then fail fast for 1 s
    )
    // snippet.end
    // snippet.hide
    _ = socket
    return configuration
}

func cluster() throws -> RedisClusterBackend.Configuration {
    // snippet.show
    // snippet.cluster
    var configuration = try RedisClusterBackend.Configuration(urlList: "redis://10.0.0.1:7000,redis://10.0.0.2:7000")
    configuration.keyPrefix = "myapp:"  // no braces: a hash tag here would put every key in one slot
    configuration.connectionsPerNode = 2
    configuration.nodeMetrics = true  // cache.redis.node.requests by node and result
    // snippet.end
    // snippet.hide
    return configuration
}

func use(_ url: String) async throws {
    // snippet.show
    // snippet.cache
    let redis = try RedisBackend(configuration: RedisBackend.Configuration(url: url))
    let orders = try Cache(namespace: "orders", backend: redis)
    try await orders.put("{customer:7}:cart", value: Order(id: 7, lines: 3), ttl: .seconds(300))
    let cart = try await orders.get("{customer:7}:cart", as: Order.self)
    // snippet.end
    // snippet.hide
    print("cart: \(cart.map { "\($0.lines) lines" } ?? "miss")")
    redis.shutdown()
}

func twoTiers(_ url: String) async throws {
    // snippet.show
    // snippet.two-tier
    let redis = try RedisBackend(configuration: RedisBackend.Configuration(url: url))
    let backend = try TwoTierBackend(
        memory: try MemoryBackend(byteBudget: 64 << 20),
        redis: redis,
        configuration: .init(localTTL: .seconds(60), outageServeLimit: .seconds(1))
    )
    let orders = try Cache(namespace: "orders", backend: backend)
    let cart = try await orders.get("{customer:7}:cart", as: Order.self)  // memory, then Redis
    // snippet.end
    // snippet.hide
    print("cart through two tiers: \(cart.map { "\($0.lines) lines" } ?? "miss")")
    backend.shutdown()
}

func gauges(_ url: String, logger: Logger) async throws {
    // snippet.show
    // snippet.server-metrics
    let redis = try RedisBackend(url: url)
    let services = ServiceGroup(
        services: [RedisServerMetrics(backend: redis, interval: .seconds(10))],  // and the application's server
        gracefulShutdownSignals: [.sigterm],
        logger: logger
    )
    try await services.run()
    // snippet.end
    // snippet.hide
}

_ = try singleServer()
_ = try cluster()
if CommandLine.arguments.count > 1 {
    try await use(CommandLine.arguments[1])
    try await twoTiers(CommandLine.arguments[1])
}
// `gauges` runs until the process is told to stop: it is shown, not run.
_ = gauges
