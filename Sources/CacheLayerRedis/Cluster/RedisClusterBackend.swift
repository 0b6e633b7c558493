import CacheLayer
import Tracing

/// A cache backend on a Redis Cluster: each key goes to the master that owns its hash slot.
///
/// ```swift
/// let cluster = try RedisClusterBackend(configuration: .init(urlList: "redis://10.0.0.1:7000,redis://10.0.0.2:7000"))
/// let cache = try Cache(namespace: "products", backend: cluster)
/// ```
///
/// The code that uses the ``CacheLayer/Cache`` does not change. The backend learns the topology from any seed
/// with `CLUSTER SLOTS`, keeps connections to each master (the single-node machinery: pipelined connection
/// threads, timeouts, backoff, a circuit breaker per node), and refreshes the topology after `MOVED` replies and
/// connection failures. `MOVED` updates the slot and retries on the new owner; `ASK` retries once on the target,
/// after `ASKING` on the same connection; past ``Configuration/maximumRedirections`` a call fails with
/// ``CacheLayer/CacheError/Code/backendError``.
///
/// Keys are stored as `keyPrefix + namespace + ":" + key`, and Redis hashes a key's first `{...}`: to keep keys
/// together (a value and its lock), give them the same hash tag in the key, such as `{order:42}` and
/// `lock:{order:42}`. Batch gets are split by slot, sent in parallel and merged in order; a namespace flush runs
/// SCAN + UNLINK on every master.
///
/// When a master dies, calls on its slots fail (open, through the facade) within the command timeout until a
/// replica is promoted and a refresh finds it; then they go to the new master, with no restart.
public final class RedisClusterBackend: CacheBackend {
    /// The configuration the backend was made with.
    public let configuration: Configuration

    let topology: ClusterTopology
    let keyLayout: RedisKeyLayout

    /// Creates the backend and asks the seeds for the topology in the background; calls made before it is known
    /// wait for it (at most about the connect and command timeouts per node asked).
    /// - Throws: ``CacheLayer/CacheError/Code/invalidConfiguration`` for a bad configuration.
    public init(configuration: Configuration) throws(CacheError) {
        let configuration = try configuration.validated()
        self.configuration = configuration
        self.keyLayout = RedisKeyLayout(keyPrefix: configuration.keyPrefix)
        self.topology = ClusterTopology(configuration: configuration)
        self.topology.requestRefresh()
    }

    deinit {
        self.topology.stop()
    }

    /// Stops every node's connections. Calls made afterwards fail with
    /// ``CacheLayer/CacheError/Code/backendUnavailable``. The backend also shuts down when it is released.
    public func shutdown() {
        self.topology.stop()
    }

    /// `.client` spans with `db.system.name` = `redis`; the serving node's attributes come from
    /// ``spanAttributes(forKey:)``.
    public let telemetry = CacheBackendTelemetry(spanKind: .client, attributes: ["db.system.name": "redis"])

    /// The attributes of the master that serves `key`'s slot (when the call ends): `server.address`,
    /// `server.port`, and the peer of its last connection (`network.peer.address`, `network.peer.port`). For a
    /// batch, `key` is the first key; a namespace flush, which runs on every master, gets `db.system.name` only.
    public func spanAttributes(forKey key: CacheKey?) -> SpanAttributes {
        guard let key, let node = self.topology.node(forSlot: HashSlot.of(self.keyLayout.redisKey(key))) else {
            return self.telemetry.attributes
        }
        return node.spanAttributes.current.withLock { $0 }
    }

    // MARK: Routing

    /// Sends `command` to the master of `slot`, following redirections, and returns its reply, with error
    /// replies turned into typed errors.
    func execute(_ command: RedisCommand, slot: Int) async throws(CacheError) -> RedisReply {
        try await self.executeNamingNode(command, slot: slot).reply
    }

    /// Like ``execute(_:slot:)``, and names the node that sent the reply: the slot's master as the backend knows
    /// it, or, after `ASK`, the migration's target (which may serve no slot yet). The two-tier backend stores only
    /// what a node with an invalidation connection answered.
    func executeNamingNode(
        _ command: RedisCommand, slot: Int
    ) async throws(CacheError) -> (reply: RedisReply, node: ClusterNodeAddress) {
        var node = try await self.topology.route(slot: slot)
        var asking = false
        var redirections = 0
        // Each pass returns, throws or counts one redirection against the bound.
        while true {
            let reply: RedisReply
            switch await node.pool.deliver(command, asking: asking) {
            case .success(let received):
                reply = received
            case .failure(let failure):
                let error = failure.error
                node.record(.error)
                guard error.code == .timeout || error.code == .backendUnavailable else { throw error }
                self.topology.requestRefresh()
                // The topology moved on while this call was out (a failover retired the node, or its connection
                // died): one more try on the slot's current master, counted like a redirection. Not after a
                // timeout (the call would outlast the command timeout), and not when the command was written
                // and is not idempotent: it may have run (a SET NX that took a lock, its reply lost with the
                // connection), and sent again it would answer as if someone else had run it.
                guard error.code == .backendUnavailable, !asking, redirections < self.configuration.maximumRedirections,
                    let owner = self.topology.node(forSlot: slot), owner !== node
                else { throw error }
                guard !failure.mayHaveRun || command.isIdempotent else {
                    throw CacheError(
                        .backendUnavailable,
                        "the connection to \(node.address) failed after \(command.name) was sent, so it may have run; it is not sent again (\(error.message))"
                    )
                }
                redirections += 1
                node = owner
                continue
            }
            guard case .error(let message) = reply else {
                node.record(.ok)
                return (reply, node.address)
            }
            let redirection = ClusterRedirection(message, fallbackHost: node.address.host)
            let tryAgain = message.hasPrefix("TRYAGAIN")
            guard redirection != nil || tryAgain else {
                node.record(.error)
                if message.hasPrefix("CLUSTERDOWN") {
                    self.topology.requestRefresh()
                }
                return (try reply.checked(command.name), node.address)
            }
            node.record(.redirected)
            guard redirections < self.configuration.maximumRedirections else {
                throw CacheError(
                    .backendError,
                    "gave up on \(command.name) for hash slot \(slot) after \(redirections) redirections; the last reply was \(RedisReply.withoutQuotedArguments(message))",
                    responseStatusCode: redirection?.kind.rawValue ?? "TRYAGAIN"
                )
            }
            redirections += 1
            switch redirection {
            case .some(let redirection) where redirection.kind == .moved:
                node = try self.topology.moved(slot: redirection.slot, to: redirection.target)
                asking = false
            case .some(let redirection):
                node = try self.topology.node(at: redirection.target)
                asking = true
            case .none:
                // TRYAGAIN: a multi-key command met a slot half migrated; wait a moment, then ask the owner again.
                try? await Task.sleep(for: .milliseconds(10))
                node = try await self.topology.route(slot: slot)
                asking = false
            }
        }
    }

    /// Sends a command on one key to the master that owns it.
    func execute(_ command: RedisCommand, key: [UInt8]) async throws(CacheError) -> RedisReply {
        try await self.execute(command, slot: HashSlot.of(key))
    }

    // MARK: CacheBackend

    public func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? {
        let redisKey = self.keyLayout.redisKey(key)
        return try CacheCommands.value(await self.execute(CacheCommands.get(redisKey), key: redisKey))
    }

    /// Splits the keys by hash slot, sends one GET or MGET per slot, all at once, and merges the values in the
    /// order of `keys`. Any failure fails the whole batch.
    public func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        var groups: [Int: (keys: [[UInt8]], positions: [Int])] = [:]
        for (position, key) in keys.enumerated() {
            let redisKey = self.keyLayout.redisKey(key)
            let slot = HashSlot.of(redisKey)
            groups[slot, default: ([], [])].keys.append(redisKey)
            groups[slot]!.positions.append(position)
        }
        if groups.count == 1, let (slot, group) = groups.first {
            return try await self.values(of: group.keys, slot: slot)
        }
        var values = [[UInt8]?](repeating: nil, count: keys.count)
        for (group, found) in try await self.inParallel(
            groups,
            { (slot, group) throws(CacheError) in
                try await self.values(of: group.keys, slot: slot)
            })
        {
            for (position, value) in zip(group.positions, found) {
                values[position] = value
            }
        }
        return values
    }

    /// Runs `body` for every slot's group at once. Returns each group with its result, or throws the first
    /// failure.
    func inParallel<Group: Sendable, Output: Sendable>(
        _ groups: [Int: Group],
        _ body: @escaping @Sendable (Int, Group) async throws(CacheError) -> Output
    ) async throws(CacheError) -> [(Group, Output)] {
        let results = await withTaskGroup(of: (Group, Result<Output, CacheError>).self) { tasks in
            for (slot, group) in groups {
                tasks.addTask {
                    do throws(CacheError) {
                        return (group, .success(try await body(slot, group)))
                    } catch {
                        return (group, .failure(error))
                    }
                }
            }
            var results: [(Group, Result<Output, CacheError>)] = []
            results.reserveCapacity(groups.count)
            for await result in tasks {
                results.append(result)
            }
            return results
        }
        var outputs: [(Group, Output)] = []
        outputs.reserveCapacity(results.count)
        for (group, result) in results {
            outputs.append((group, try result.get()))
        }
        return outputs
    }

    /// The values of keys that share `slot`: GET for one, MGET for more.
    private func values(of keys: [[UInt8]], slot: Int) async throws(CacheError) -> [[UInt8]?] {
        if keys.count == 1 {
            return [try CacheCommands.value(await self.execute(CacheCommands.get(keys[0]), slot: slot))]
        }
        return try CacheCommands.values(await self.execute(CacheCommands.mget(keys), slot: slot), count: keys.count)
    }

    public func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) {
        try CacheCommands.checkSize(value, maximum: self.configuration.maximumValueSize)
        let redisKey = self.keyLayout.redisKey(key)
        let command = CacheCommands.set(redisKey, value, ttl: ttl, onlyIfAbsent: false)
        _ = try CacheCommands.written(await self.execute(command, key: redisKey), onlyIfAbsent: false)
    }

    public func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool {
        try CacheCommands.checkSize(value, maximum: self.configuration.maximumValueSize)
        let redisKey = self.keyLayout.redisKey(key)
        let command = CacheCommands.set(redisKey, value, ttl: ttl, onlyIfAbsent: true)
        return try CacheCommands.written(await self.execute(command, key: redisKey), onlyIfAbsent: true)
    }

    public func delete(_ key: CacheKey) async throws(CacheError) -> Bool {
        let redisKey = self.keyLayout.redisKey(key)
        return try CacheCommands.removed(await self.execute(CacheCommands.del(redisKey), key: redisKey))
    }

    public func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool {
        let redisKey = self.keyLayout.redisKey(key)
        return try await OwnerCheckedDelete.run(key: redisKey, expected: expected) { (command) throws(CacheError) in
            try await self.execute(command, key: redisKey)
        }
    }

    /// SCAN + UNLINK on every master, one after the other; the keys found are unlinked per hash slot (a command's
    /// keys must share one), each UNLINK routed like any keyed command.
    public func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        let pattern = self.keyLayout.namespacePattern(namespace)
        for node in try await self.topology.masters() {
            try await NamespaceFlush.run(
                pattern: pattern,
                scan: { (command) throws(CacheError) in try await node.pool.send(command).get().checked(command.name) },
                unlink: { (keys) throws(CacheError) in
                    _ = try await self.inParallel(Dictionary(grouping: keys, by: HashSlot.of)) {
                        (slot, group) throws(CacheError) in
                        try await self.execute(NamespaceFlush.unlinkCommand(group), slot: slot)
                    }
                }
            )
        }
    }
}
