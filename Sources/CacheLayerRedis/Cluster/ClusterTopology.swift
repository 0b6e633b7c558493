import CacheLayer
import CoreMetrics
import Synchronization

/// The cluster as the backend sees it now: which master serves each hash slot, and each master's connections.
///
/// Learnt from `CLUSTER SLOTS` at start, then refreshed after `MOVED` replies and connection failures: at most one
/// refresh runs at a time, and a new one starts no sooner than ``RedisClusterBackend/Configuration/minimumRefreshInterval``
/// after the last, so a failing cluster is not flooded. A refresh asks the known masters (in random order), then
/// the seeds, and takes the first answer. Nodes that no longer serve slots have their connections stopped.
final class ClusterTopology: Sendable {
    private struct State {
        /// The master serving each slot; `nil` while unknown (or uncovered).
        var owners: [ClusterNode?] = Array(repeating: nil, count: HashSlot.count)
        /// Every node with connections: the masters, plus nodes met through a redirection or asked for a refresh.
        var nodes: [ClusterNodeAddress: ClusterNode] = [:]
        /// Whether some refresh succeeded.
        var known = false
        var refresh: Task<Void, Never>?
        var lastRefreshStart: UInt64?
        var stopped = false
    }

    private let state = Mutex(State())
    private let configuration: RedisClusterBackend.Configuration
    private let seeds: [ClusterNodeAddress]
    private let metricsFactory: (any MetricsFactory)?
    private let refreshInterval: UInt64

    init(configuration: RedisClusterBackend.Configuration) {
        self.configuration = configuration
        self.seeds = configuration.seeds.map { ClusterNodeAddress(host: $0.host, port: $0.port) }
        self.metricsFactory = configuration.nodeMetrics ? (configuration.metricsFactory ?? MetricsSystem.factory) : nil
        self.refreshInterval = configuration.minimumRefreshInterval.nanoseconds
    }

    /// The master serving `slot`, as far as the backend knows, without waiting.
    func node(forSlot slot: Int) -> ClusterNode? {
        self.state.withLock { $0.owners[slot] }
    }

    /// The master serving `slot`. When it is not known (no topology yet, or the slot's master vanished), waits for
    /// a refresh first, if one may start.
    func route(slot: Int) async throws(CacheError) -> ClusterNode {
        if let node = self.node(forSlot: slot) { return node }
        if let refresh = self.requestRefresh() {
            await refresh.value
        }
        let (node, known, stopped) = self.state.withLock { ($0.owners[slot], $0.known, $0.stopped) }
        if let node { return node }
        if stopped { throw Self.shutDown }
        if known {
            throw CacheError(
                .backendUnavailable, "no master serves hash slot \(slot): the cluster reports it uncovered")
        }
        throw CacheError(
            .backendUnavailable,
            "the Redis Cluster topology is unknown: no node answered CLUSTER SLOTS (seeds: \(self.seeds.map(\.description).joined(separator: ", ")))"
        )
    }

    /// The masters serving slots now, without waiting; `nil` before a first topology is known.
    func knownMasters() -> Set<ClusterNodeAddress>? {
        self.state.withLock { state in
            guard state.known, !state.stopped else { return nil }
            return Set(state.owners.lazy.compactMap { $0?.address })
        }
    }

    /// Every master, each once (for namespace flushes), after waiting for a first topology if there is none.
    func masters() async throws(CacheError) -> [ClusterNode] {
        if !self.state.withLock({ $0.known }), let refresh = self.requestRefresh() {
            await refresh.value
        }
        let (owners, known) = self.state.withLock { ($0.owners, $0.known) }
        guard known else {
            throw CacheError(
                .backendUnavailable, "the Redis Cluster topology is unknown: no node answered CLUSTER SLOTS")
        }
        var seen = Set<ObjectIdentifier>()
        var masters: [ClusterNode] = []
        for case let node? in owners where seen.insert(ObjectIdentifier(node)).inserted {
            masters.append(node)
        }
        return masters
    }

    /// The node at `address`, with connections made on first use.
    func node(at address: ClusterNodeAddress) throws(CacheError) -> ClusterNode {
        let node: ClusterNode? = self.state.withLock { state in
            guard !state.stopped else { return nil }
            if let node = state.nodes[address] { return node }
            let node = self.makeNode(at: address)
            state.nodes[address] = node
            return node
        }
        guard let node else { throw Self.shutDown }
        return node
    }

    /// Follows `MOVED`: `slot` is served by `address` from now on. Also asks for a refresh, since a moved slot
    /// rarely moves alone.
    func moved(slot: Int, to address: ClusterNodeAddress) throws(CacheError) -> ClusterNode {
        let node = try self.node(at: address)
        self.state.withLock { $0.owners[slot] = node }
        self.requestRefresh()
        return node
    }

    /// Starts a refresh unless one is running (then returns it) or the last one started less than the minimum
    /// interval ago (then returns `nil`).
    @discardableResult
    func requestRefresh() -> Task<Void, Never>? {
        let now = monotonicNanoseconds()
        return self.state.withLock { state in
            guard !state.stopped else { return nil }
            if let running = state.refresh { return running }
            if let last = state.lastRefreshStart, now &- last < self.refreshInterval { return nil }
            state.lastRefreshStart = now
            // The task clears `refresh` under this same lock, so it cannot do so before it is stored below.
            let task = Task.detached {
                await self.refresh()
                self.state.withLock { $0.refresh = nil }
            }
            state.refresh = task
            return task
        }
    }

    /// Stops every node's connections; later calls fail with ``CacheLayer/CacheError/Code/backendUnavailable``.
    func stop() {
        let nodes = self.state.withLock { state in
            state.stopped = true
            state.owners = Array(repeating: nil, count: HashSlot.count)
            defer { state.nodes = [:] }
            return Array(state.nodes.values)
        }
        for node in nodes {
            node.stop()
        }
    }

    /// A node with connections of its own, made with the cluster's connection settings and the node's address.
    private func makeNode(at address: ClusterNodeAddress) -> ClusterNode {
        ClusterNode(
            address: address,
            connectionSettings: self.configuration.connectionSettings(host: address.host, port: address.port),
            metricsFactory: self.metricsFactory
        )
    }

    private static let shutDown = CacheError(.backendUnavailable, "the Redis Cluster backend was shut down")
    private static let clusterSlots = RedisCommand("CLUSTER", Array("SLOTS".utf8)).idempotent

    /// Asks the known masters, then the seeds, for `CLUSTER SLOTS`, and installs the first good answer.
    private func refresh() async {
        let candidates: [ClusterNodeAddress] = self.state.withLock { state in
            var seen = Set<ClusterNodeAddress>()
            var candidates: [ClusterNodeAddress] = []
            for case let node? in state.owners where seen.insert(node.address).inserted {
                candidates.append(node.address)
            }
            candidates.shuffle()
            for seed in self.seeds where seen.insert(seed).inserted {
                candidates.append(seed)
            }
            return candidates
        }
        for address in candidates.prefix(64) {
            guard let node = try? self.node(at: address) else { return }
            guard case .success(let reply) = await node.pool.send(Self.clusterSlots),
                let checked = try? reply.checked("CLUSTER SLOTS"),
                let slots = try? ClusterSlots(parsing: checked, from: address), !slots.ranges.isEmpty
            else { continue }
            self.install(slots)
            return
        }
    }

    private func install(_ slots: ClusterSlots) {
        let retired: [ClusterNode] = self.state.withLock { state in
            guard !state.stopped else { return [] }
            var masters: [ClusterNodeAddress: ClusterNode] = [:]
            var owners: [ClusterNode?] = Array(repeating: nil, count: HashSlot.count)
            for (range, address) in slots.ranges {
                let node =
                    masters[address] ?? state.nodes[address] ?? self.makeNode(at: address)
                masters[address] = node
                for slot in range {
                    owners[slot] = node
                }
            }
            let retired = state.nodes.filter { masters[$0.key] == nil }.map(\.value)
            state.nodes = masters
            state.owners = owners
            state.known = true
            return retired
        }
        for node in retired {
            node.stop()
        }
    }
}
