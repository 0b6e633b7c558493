import CacheLayer
import Tracing

/// The shared tier under the memory tier: one Redis server or a Redis Cluster, with what the two-tier backend
/// needs of either (its keys, a command on one key, the nodes that need an invalidation connection).
enum RedisTier: Sendable {
    case single(RedisBackend)
    case cluster(RedisClusterBackend)

    /// The backend itself, for the operations that pass through.
    var backend: any CacheBackend {
        switch self {
        case .single(let backend): backend
        case .cluster(let backend): backend
        }
    }

    var keyLayout: RedisKeyLayout {
        switch self {
        case .single(let backend): backend.keyLayout
        case .cluster(let backend): backend.keyLayout
        }
    }

    /// Sends a command on `key` to the server that holds it.
    func execute(_ command: RedisCommand, key: [UInt8]) async throws(CacheError) -> RedisReply {
        switch self {
        case .single(let backend): try await backend.execute(command)
        case .cluster(let backend): try await backend.execute(command, key: key)
        }
    }

    /// ``ValuesWithExpiry`` of `keys`, in order: one script on one server; in a cluster, one per hash slot, the
    /// slots at once.
    func valuesWithExpiry(_ keys: [[UInt8]]) async throws(CacheError) -> [(value: [UInt8], timeLeft: Duration?)?] {
        switch self {
        case .single(let backend):
            return try await ValuesWithExpiry.run(keys: keys) { (command) throws(CacheError) in
                try await backend.execute(command)
            }
        case .cluster(let backend):
            var groups: [Int: (keys: [[UInt8]], positions: [Int])] = [:]
            for (position, key) in keys.enumerated() {
                let slot = HashSlot.of(key)
                groups[slot, default: ([], [])].keys.append(key)
                groups[slot]!.positions.append(position)
            }
            var found = [(value: [UInt8], timeLeft: Duration?)?](repeating: nil, count: keys.count)
            for (group, values) in try await backend.inParallel(
                groups,
                { (slot, group) throws(CacheError) in
                    try await ValuesWithExpiry.run(keys: group.keys) { (command) throws(CacheError) in
                        try await backend.execute(command, slot: slot)
                    }
                })
            {
                for (position, value) in zip(group.positions, values) {
                    found[position] = value
                }
            }
            return found
        }
    }

    /// The nodes that need an invalidation connection now, with the settings to reach each: the server, or the
    /// cluster's masters (`nil` while the cluster's topology is not known yet).
    func trackedNodes() -> [String: ConnectionSettings]? {
        switch self {
        case .single(let backend):
            let settings = backend.configuration.connectionSettings
            return ["\(settings.address)": settings]
        case .cluster(let backend):
            guard let masters = backend.topology.knownMasters() else { return nil }
            var nodes: [String: ConnectionSettings] = [:]
            for master in masters {
                nodes[master.description] = backend.configuration.connectionSettings(
                    host: master.host, port: master.port)
            }
            return nodes
        }
    }

    /// Asks a cluster to check its topology (a no-op for one server).
    func refreshTopology() {
        if case .cluster(let backend) = self {
            backend.topology.requestRefresh()
        }
    }

    func shutdown() {
        switch self {
        case .single(let backend): backend.shutdown()
        case .cluster(let backend): backend.shutdown()
        }
    }
}
