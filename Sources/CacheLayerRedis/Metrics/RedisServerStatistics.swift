import Synchronization

/// The figures of one `INFO memory` / `INFO stats` poll of ``RedisServerMetrics``, for code that reads them
/// (``RedisServerMetrics/latest``) rather than a dashboard. A field the server did not report is `nil`.
public struct RedisServerStatistics: Sendable, Equatable {
    /// `used_memory`, bytes.
    public var usedMemory: Int64?
    /// `maxmemory`, bytes; 0 means no limit.
    public var maxMemory: Int64?
    /// `evicted_keys`, since the server started.
    public var evictedKeys: Int64?
    /// `keyspace_hits`, since the server started.
    public var keyspaceHits: Int64?
    /// `keyspace_misses`, since the server started.
    public var keyspaceMisses: Int64?

    /// Creates a reading.
    public init(
        usedMemory: Int64? = nil,
        maxMemory: Int64? = nil,
        evictedKeys: Int64? = nil,
        keyspaceHits: Int64? = nil,
        keyspaceMisses: Int64? = nil
    ) {
        self.usedMemory = usedMemory
        self.maxMemory = maxMemory
        self.evictedKeys = evictedKeys
        self.keyspaceHits = keyspaceHits
        self.keyspaceMisses = keyspaceMisses
    }

    /// The figures among `fields` (an INFO reply's integer fields).
    init(fields: [String: Int64]) {
        self.init(
            usedMemory: fields["used_memory"],
            maxMemory: fields["maxmemory"],
            evictedKeys: fields["evicted_keys"],
            keyspaceHits: fields["keyspace_hits"],
            keyspaceMisses: fields["keyspace_misses"]
        )
    }
}

/// The last poll's reading, shared by the copies of a ``RedisServerMetrics``.
final class LatestRedisServerStatistics: Sendable {
    private let reading = Mutex<RedisServerStatistics?>(nil)

    func store(_ statistics: RedisServerStatistics) { self.reading.withLock { $0 = statistics } }

    var value: RedisServerStatistics? { self.reading.withLock { $0 } }
}
