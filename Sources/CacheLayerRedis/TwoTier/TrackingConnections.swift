import CacheLayer
import Synchronization

/// The invalidation connections of a two-tier backend: one per Redis server, or one per master of a cluster,
/// followed as the cluster's masters change (checked every ``TwoTierBackend/Configuration/topologyCheckInterval``).
/// A new master's connection stops the memory tier until it is armed, which flushes it.
final class TrackingConnections: Sendable {
    private struct State {
        var listeners: [String: InvalidationListener] = [:]
        var stopped = false
    }

    private let state = Mutex(State())
    private let tier: RedisTier
    private let sink: InvalidationSink
    private let configuration: TwoTierBackend.Configuration

    init(tier: RedisTier, sink: InvalidationSink, configuration: TwoTierBackend.Configuration) {
        self.tier = tier
        self.sink = sink
        self.configuration = configuration
    }

    /// Starts the connections (and, for a cluster, the topology checks).
    func start() {
        self.reconcile()
        guard case .cluster = self.tier else { return }
        let interval = self.configuration.topologyCheckInterval
        Task.detached { [weak self] in
            while true {
                guard let connections = self, !connections.isStopped else { return }
                connections.tier.refreshTopology()
                connections.reconcile()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// The connections now (tests kill them).
    var listeners: [InvalidationListener] { self.state.withLock { Array($0.listeners.values) } }

    /// Whether memory may keep what `node` answered (named as ``RedisTier/valuesWithExpiry(sharingSlot:)`` names
    /// it): the server of a single-server tier, or a cluster node whose invalidation connection is armed. Any other
    /// node (a master that serves no slot yet, reached through `ASK` while a slot migrates to it, or one that took
    /// slots since the last check) would report no later change to its keys. A connection added or lost after the
    /// read's ticket refuses its fill anyway (``CoherenceGate``).
    func covers(_ node: ClusterNodeAddress?) -> Bool {
        guard let node else { return true }
        guard let listener = self.state.withLock({ $0.listeners[node.description] }) else { return false }
        return self.sink.gate.isArmed(listener)
    }

    private var isStopped: Bool { self.state.withLock { $0.stopped } }

    /// Opens a connection for each node that has none, and closes those of nodes that left.
    func reconcile() {
        guard let nodes = self.tier.trackedNodes(), !nodes.isEmpty else { return }
        let sink = self.sink
        let (added, removed, changed): ([InvalidationListener], [InvalidationListener], Bool) = self.state.withLock {
            state in
            guard !state.stopped else { return ([], [], false) }
            let hadNodes = !state.listeners.isEmpty
            var added: [InvalidationListener] = []
            for (name, settings) in nodes where state.listeners[name] == nil {
                let listener = InvalidationListener(
                    settings: settings,
                    keyPrefix: self.tier.keyLayout.keyPrefix,
                    heartbeatInterval: self.configuration.heartbeatInterval,
                    clock: self.configuration.clock,
                    onEvent: { listener, event in sink.handle(event, from: listener) }
                )
                state.listeners[name] = listener
                added.append(listener)
            }
            let departed = state.listeners.keys.filter { nodes[$0] == nil }
            let removed = departed.compactMap { state.listeners.removeValue(forKey: $0) }
            return (added, removed, hadNodes && (!added.isEmpty || !removed.isEmpty))
        }
        for listener in added {
            sink.gate.add(listener, wake: { [weak listener] in listener?.requestConfirmation() })
            listener.start()
        }
        for listener in removed {
            sink.gate.remove(listener)
            listener.stop()
        }
        if changed {
            // Slots may have moved between masters that stay: what memory holds of them is dropped too.
            sink.gate.flush(sink.clearMemory)
            sink.metrics?.flushed(.topologyChange)
        }
    }

    /// Closes every connection.
    func stop() {
        let listeners = self.state.withLock { state in
            state.stopped = true
            defer { state.listeners = [:] }
            return Array(state.listeners.values)
        }
        for listener in listeners {
            listener.stop()
        }
    }
}
