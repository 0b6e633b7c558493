import CacheLayer
import CoreMetrics
import Tracing

/// One master of the cluster as the backend uses it: its address, its connections (the single-node machinery:
/// pipelining threads, timeouts, backoff and breaker), the span attributes of calls it serves and, when asked
/// for, its metrics.
final class ClusterNode: Sendable {
    let address: ClusterNodeAddress
    let pool: ConnectionPool
    let spanAttributes: SpanAttributesBox
    private let counters: Counters?

    /// `cache.redis.node.requests` per result, with this node's dimension.
    struct Counters: Sendable {
        let ok: Counter
        let redirected: Counter
        let error: Counter
    }

    enum Outcome {
        case ok, redirected, error
    }

    /// Starts the node's connections with `connectionSettings` (whose address is this node's).
    init(address: ClusterNodeAddress, connectionSettings: ConnectionSettings, metricsFactory: (any MetricsFactory)?) {
        self.address = address
        let spanAttributes = SpanAttributesBox([
            "db.system.name": "redis",
            "server.address": .string(address.host),
            "server.port": .int64(Int64(address.port)),
        ])
        self.spanAttributes = spanAttributes
        self.pool = ConnectionPool(settings: connectionSettings, onConnect: spanAttributes.recordPeer)
        self.counters = metricsFactory.map { factory in
            func counter(_ result: String) -> Counter {
                Counter(
                    label: "cache.redis.node.requests",
                    dimensions: [("node", address.description), ("result", result)], factory: factory)
            }
            return Counters(ok: counter("ok"), redirected: counter("redirected"), error: counter("error"))
        }
    }

    func record(_ outcome: Outcome) {
        guard let counters = self.counters else { return }
        switch outcome {
        case .ok: counters.ok.increment()
        case .redirected: counters.redirected.increment()
        case .error: counters.error.increment()
        }
    }

    func stop() {
        self.pool.stop()
    }
}
