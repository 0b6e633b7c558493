import CacheLayer
import Synchronization
import Tracing

/// A cache backend on a Redis server, through hiredis.
///
/// Many tasks share a few connections (``Configuration/connectionCount``); requests from concurrent callers are
/// pipelined onto them by each connection's own I/O thread. Keys are stored as `keyPrefix + namespace + ":" + key`.
///
/// ```swift
/// let redis = try RedisBackend(configuration: .init(url: "redis://127.0.0.1:6379/0"))
/// let cache = try Cache(namespace: "products", backend: redis)
/// ```
///
/// Errors are typed: ``CacheLayer/CacheError/Code/backendUnavailable`` (refused, closed, breaker open),
/// ``CacheLayer/CacheError/Code/timeout`` (no reply within the command timeout) and
/// ``CacheLayer/CacheError/Code/backendError`` (an error reply; its prefix is in
/// ``CacheLayer/CacheError/responseStatusCode``). The ``CacheLayer/Cache`` facade turns them into misses and
/// no-ops when it fails open.
public final class RedisBackend: CacheBackend {
    /// The configuration the backend was made with.
    public let configuration: Configuration

    let pool: ConnectionPool
    let keyLayout: RedisKeyLayout
    private let spanAttributes: SpanAttributesBox

    /// Creates the backend and starts connecting in the background; calls made before the first connection is up
    /// wait for it (at most the connect timeout).
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a bad configuration.
    public init(configuration: Configuration) throws(CacheError) {
        let configuration = try configuration.validated()
        self.configuration = configuration
        self.keyLayout = RedisKeyLayout(keyPrefix: configuration.keyPrefix)
        var attributes: SpanAttributes = ["db.system.name": "redis"]
        switch configuration.endpoint {
        case .tcp(let host, let port):
            attributes["server.address"] = host
            attributes["server.port"] = port
        case .unixSocket(let path):
            attributes["server.address"] = path
            attributes["network.transport"] = "unix"
        }
        if configuration.database != 0 {
            attributes["db.namespace"] = String(configuration.database)
        }
        let spanAttributes = SpanAttributesBox(attributes)
        self.spanAttributes = spanAttributes
        self.pool = ConnectionPool(settings: configuration.connectionSettings, onConnect: spanAttributes.recordPeer)
    }

    /// Creates the backend from a URL (see ``Configuration/init(url:)``).
    public convenience init(url: String) throws(CacheError) {
        try self.init(configuration: Configuration(url: url))
    }

    deinit {
        self.pool.stop()
    }

    /// Stops the connection threads. Calls made afterwards fail with ``CacheLayer/CacheError/Code/backendUnavailable``.
    /// The backend also shuts down when it is released.
    public func shutdown() {
        self.pool.stop()
    }

    /// `.client` spans with `db.system.name` = `redis`, `server.address`, `server.port`, and the peer the last
    /// connection reached (`network.peer.address`, `network.peer.port`).
    public var telemetry: CacheBackendTelemetry {
        CacheBackendTelemetry(spanKind: .client, attributes: self.spanAttributes.current.withLock { $0 })
    }

    // MARK: Keys and commands

    func redisKey(_ key: CacheKey) -> [UInt8] {
        self.keyLayout.redisKey(key)
    }

    /// Sends a command and returns its reply, with error replies turned into typed errors.
    func execute(_ command: RedisCommand) async throws(CacheError) -> RedisReply {
        try await self.pool.send(command).get().checked(command.name)
    }

    // MARK: CacheBackend

    public func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? {
        try CacheCommands.value(await self.execute(CacheCommands.get(self.redisKey(key))))
    }

    public func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        return try CacheCommands.values(
            await self.execute(CacheCommands.mget(keys.map(self.redisKey))), count: keys.count)
    }

    public func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) {
        try CacheCommands.checkSize(value, maximum: self.configuration.maximumValueSize)
        let command = CacheCommands.set(self.redisKey(key), value, ttl: ttl, onlyIfAbsent: false)
        _ = try CacheCommands.written(await self.execute(command), onlyIfAbsent: false)
    }

    public func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool {
        try CacheCommands.checkSize(value, maximum: self.configuration.maximumValueSize)
        let command = CacheCommands.set(self.redisKey(key), value, ttl: ttl, onlyIfAbsent: true)
        return try CacheCommands.written(await self.execute(command), onlyIfAbsent: true)
    }

    public func delete(_ key: CacheKey) async throws(CacheError) -> Bool {
        try CacheCommands.removed(await self.execute(CacheCommands.del(self.redisKey(key))))
    }

    public func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool {
        try await OwnerCheckedDelete.run(key: self.redisKey(key), expected: expected) { (command) throws(CacheError) in
            try await self.execute(command)
        }
    }

    public func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        try await NamespaceFlush.run(
            pattern: self.keyLayout.namespacePattern(namespace),
            scan: { (command) throws(CacheError) in try await self.execute(command) },
            unlink: { (keys) throws(CacheError) in _ = try await self.execute(NamespaceFlush.unlinkCommand(keys)) }
        )
    }
}
