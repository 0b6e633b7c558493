import CacheLayer
import CoreMetrics
import Logging
import ServiceLifecycle

/// Polls the server's `INFO memory` and `INFO stats` and exports its memory and eviction figures as gauges, so
/// a dashboard shows what the cache costs the server and when the server starts evicting.
///
/// Run it with your other services:
///
/// ```swift
/// let redis = try RedisBackend(url: "redis://127.0.0.1:6379")
/// let serviceGroup = ServiceGroup(services: [server, RedisServerMetrics(backend: redis)], logger: logger)
/// try await serviceGroup.run()
/// ```
///
/// | gauge | from |
/// |---|---|
/// | `redis.memory.used` (bytes) | `used_memory` |
/// | `redis.memory.max` (bytes, 0 = no limit) | `maxmemory` |
/// | `redis.keys.evicted` (since server start) | `evicted_keys` |
/// | `redis.keyspace.hits`, `redis.keyspace.misses` (since server start) | `keyspace_hits`, `keyspace_misses` |
///
/// Each carries a `server` dimension (`host:port` or the socket path). The last poll's figures are also readable,
/// as ``latest``.
public struct RedisServerMetrics: Service {
    private let backend: RedisBackend
    private let interval: Duration
    private let logger: Logger
    private let gauges: [(field: String, gauge: Gauge)]
    private let latestReading = LatestRedisServerStatistics()

    /// The figures of the last poll that reached the server, or `nil` before the first one: read-only, for a
    /// health monitor (`CacheHealthMonitor`) or a readiness check.
    public var latest: RedisServerStatistics? { self.latestReading.value }

    /// Creates the poller.
    /// - Parameters:
    ///   - backend: The backend whose server to poll (its connections carry the polls).
    ///   - interval: Time between two polls.
    ///   - metricsFactory: Where the gauges go; `nil` uses the global `MetricsSystem.factory`.
    ///   - logger: Where failed polls are reported (at debug level: the backend's own spans and metrics already
    ///     report an unavailable server).
    public init(
        backend: RedisBackend,
        interval: Duration = .seconds(10),
        metricsFactory: (any MetricsFactory)? = nil,
        logger: Logger = Logger(label: "cachelayer.redis", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        let factory = metricsFactory ?? MetricsSystem.factory
        let server =
            switch backend.configuration.endpoint {
            case .tcp(let host, let port): "\(host):\(port)"
            case .unixSocket(let path): path
            }
        let dimensions = [("server", server)]
        self.backend = backend
        self.interval = interval
        self.logger = logger
        self.gauges = [
            ("used_memory", "redis.memory.used"),
            ("maxmemory", "redis.memory.max"),
            ("evicted_keys", "redis.keys.evicted"),
            ("keyspace_hits", "redis.keyspace.hits"),
            ("keyspace_misses", "redis.keyspace.misses"),
        ].map { field, label in (field, Gauge(label: label, dimensions: dimensions, factory: factory)) }
    }

    /// Polls until the task is cancelled or the service group shuts down gracefully.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.poll()
                do {
                    try await Task.sleep(for: self.interval)
                } catch {
                    return  // cancelled: shutting down
                }
            }
        }
    }

    /// Reads `INFO memory` and `INFO stats` once and records every gauge whose field the server reported.
    func poll() async {
        var fields: [String: Int64] = [:]
        for section in ["memory", "stats"] {
            do {
                let reply = try await self.backend.execute(RedisCommand("INFO", Array(section.utf8)))
                guard case .bulk(let text) = reply else { throw reply.unexpected("INFO") }
                fields.merge(Self.parseInfo(String(decoding: text, as: UTF8.self))) { _, new in new }
            } catch {
                self.logger.debug("INFO \(section) failed", metadata: ["error.message": "\(error)"])
            }
        }
        if !fields.isEmpty {
            self.latestReading.store(RedisServerStatistics(fields: fields))
        }
        for (field, gauge) in self.gauges {
            if let value = fields[field] {
                gauge.record(value)
            }
        }
    }

    /// The integer fields of an INFO reply (`name:value` lines; `#` lines are section headers).
    static func parseInfo(_ text: String) -> [String: Int64] {
        var fields: [String: Int64] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Int64(parts[1]) {
                fields[String(parts[0])] = value
            }
        }
        return fields
    }
}
