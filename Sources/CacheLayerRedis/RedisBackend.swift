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
    private let keyPrefix: [UInt8]
    private let spanAttributes: SpanAttributesBox

    /// Creates the backend and starts connecting in the background; calls made before the first connection is up
    /// wait for it (at most the connect timeout).
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a bad configuration.
    public init(configuration: Configuration) throws(CacheError) {
        let configuration = try configuration.validated()
        self.configuration = configuration
        self.keyPrefix = Array(configuration.keyPrefix.utf8)
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
        self.pool = ConnectionPool(configuration: configuration) { peer in
            guard let peer else { return }
            spanAttributes.current.withLock { attributes in
                attributes["network.peer.address"] = peer.address
                attributes["network.peer.port"] = peer.port
            }
        }
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
        var bytes = self.keyPrefix
        bytes.reserveCapacity(self.keyPrefix.count + key.flatByteCount)
        bytes += key.namespace.name.utf8
        bytes.append(UInt8(ascii: ":"))
        bytes += key.key.utf8
        return bytes
    }

    /// Sends a command and returns its reply, with error replies turned into typed errors.
    func execute(_ command: RedisCommand) async throws(CacheError) -> RedisReply {
        try await self.pool.send(command).get().checked(command.name)
    }

    private func checkSize(_ value: [UInt8], for key: CacheKey) throws(CacheError) {
        guard value.count <= self.configuration.maximumValueSize else {
            throw CacheError(
                .valueTooLarge,
                "the value for '\(key)' is \(value.count) bytes; the Redis backend accepts at most \(self.configuration.maximumValueSize)"
            )
        }
    }

    /// `SET key value [NX] [PX ms]`.
    private func setCommand(_ key: CacheKey, _ value: [UInt8], ttl: Duration?, onlyIfAbsent: Bool) -> RedisCommand {
        var arguments: [[UInt8]] = [RedisCommand.Word.set, self.redisKey(key), value]
        if onlyIfAbsent {
            arguments.append(RedisCommand.Word.nx)
        }
        if let ttl {
            // PX takes whole milliseconds; round up so an entry never lives shorter than asked.
            let milliseconds = max(1, (ttl.nanoseconds + 999_999) / 1_000_000)
            arguments.append(RedisCommand.Word.px)
            arguments.append(Array(String(milliseconds).utf8))
        }
        return RedisCommand(arguments)
    }

    // MARK: CacheBackend

    public func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? {
        switch try await self.execute(RedisCommand([RedisCommand.Word.get, self.redisKey(key)])) {
        case .bulk(let value): return value
        case .null: return nil
        case let other: throw other.unexpected("GET")
        }
    }

    public func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        let reply = try await self.execute(RedisCommand([RedisCommand.Word.mget] + keys.map(self.redisKey)))
        guard case .array(let elements) = reply, elements.count == keys.count else { throw reply.unexpected("MGET") }
        var values: [[UInt8]?] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            switch element {
            case .bulk(let value): values.append(value)
            case .null: values.append(nil)
            default: throw reply.unexpected("MGET")
            }
        }
        return values
    }

    public func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) {
        try self.checkSize(value, for: key)
        let reply = try await self.execute(self.setCommand(key, value, ttl: ttl, onlyIfAbsent: false))
        guard case .status = reply else { throw reply.unexpected("SET") }
    }

    public func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool {
        try self.checkSize(value, for: key)
        switch try await self.execute(self.setCommand(key, value, ttl: ttl, onlyIfAbsent: true)) {
        case .status: return true
        case .null: return false
        case let other: throw other.unexpected("SET NX")
        }
    }

    public func delete(_ key: CacheKey) async throws(CacheError) -> Bool {
        let reply = try await self.execute(RedisCommand([RedisCommand.Word.del, self.redisKey(key)]))
        guard case .integer(let removed) = reply else { throw reply.unexpected("DEL") }
        return removed > 0
    }

    public func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool {
        let reply = try await OwnerCheckedDelete.run(key: self.redisKey(key), expected: expected, on: self)
        guard case .integer(let removed) = reply else { throw reply.unexpected("EVALSHA") }
        return removed > 0
    }

    public func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        try await NamespaceFlush.run(pattern: self.namespacePattern(namespace), on: self)
    }

    /// `keyPrefix + namespace + ":*"`, with the glob characters of the key prefix escaped (namespaces cannot
    /// contain them), so SCAN matches this namespace's keys and nothing else.
    func namespacePattern(_ namespace: CacheNamespace) -> [UInt8] {
        var pattern: [UInt8] = []
        for byte in self.keyPrefix {
            if byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\\")
            {
                pattern.append(UInt8(ascii: "\\"))
            }
            pattern.append(byte)
        }
        pattern += namespace.name.utf8
        pattern += ":*".utf8
        return pattern
    }
}

/// The backend's span attributes, updated with the peer address each time a connection is made.
final class SpanAttributesBox: Sendable {
    let current: Mutex<SpanAttributes>

    init(_ attributes: SpanAttributes) {
        self.current = Mutex(attributes)
    }
}
