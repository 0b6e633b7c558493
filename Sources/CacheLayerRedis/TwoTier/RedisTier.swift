import CacheLayer
import Tracing

/// The shared tier under the memory tier: one Redis server or a Redis Cluster, with what the two-tier backend
/// needs of either (its keys, reads that name the node that answered, the nodes that need an invalidation
/// connection).
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

    /// ``ValuesWithExpiry`` of `keys` (at least one), which share one server (in a cluster, one hash slot), with
    /// the node that answered: `nil` for a single server, a cluster node's address otherwise, which after `ASK` is
    /// not the slot's master (``TrackingConnections/covers(_:)`` says whether memory may keep the answer).
    func valuesWithExpiry(
        sharingSlot keys: [[UInt8]]
    ) async throws(CacheError) -> (found: [ValuesWithExpiry.Found?], node: ClusterNodeAddress?) {
        switch self {
        case .single(let backend):
            let found = try await ValuesWithExpiry.run(keys: keys) { (command) throws(CacheError) in
                try await backend.execute(command)
            }
            return (found, nil)
        case .cluster(let backend):
            // The script may be sent twice (EVAL after NOSCRIPT): the node of the reply that counted is the last.
            var node: ClusterNodeAddress?
            let slot = HashSlot.of(keys[0])
            let found = try await ValuesWithExpiry.run(keys: keys) { (command) throws(CacheError) in
                let answer = try await backend.executeNamingNode(command, slot: slot)
                node = answer.node
                return answer.reply
            }
            return (found, node)
        }
    }

    /// ``ValuesWithExpiry`` of `keys`, in order, each with the node that answered it (as
    /// ``valuesWithExpiry(sharingSlot:)`` names it): one script on one server; in a cluster, one per hash slot, the
    /// slots at once.
    func valuesWithExpiry(
        _ keys: [[UInt8]]
    ) async throws(CacheError) -> (found: [ValuesWithExpiry.Found?], nodes: [ClusterNodeAddress?]) {
        guard case .cluster(let backend) = self else {
            return (try await self.valuesWithExpiry(sharingSlot: keys).found, Array(repeating: nil, count: keys.count))
        }
        var groups: [Int: (keys: [[UInt8]], positions: [Int])] = [:]
        for (position, key) in keys.enumerated() {
            let slot = HashSlot.of(key)
            groups[slot, default: ([], [])].keys.append(key)
            groups[slot]!.positions.append(position)
        }
        var found = [ValuesWithExpiry.Found?](repeating: nil, count: keys.count)
        var nodes = [ClusterNodeAddress?](repeating: nil, count: keys.count)
        for (group, answer) in try await backend.inParallel(
            groups, { (_, group) throws(CacheError) in try await self.valuesWithExpiry(sharingSlot: group.keys) })
        {
            for (position, value) in zip(group.positions, answer.found) {
                found[position] = value
                nodes[position] = answer.node
            }
        }
        return (found, nodes)
    }

    /// The nodes that need an invalidation connection now, with the settings to reach each: the server, or the
    /// cluster's masters that serve slots, named by their address (`nil` while the cluster's topology is not known
    /// yet).
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
