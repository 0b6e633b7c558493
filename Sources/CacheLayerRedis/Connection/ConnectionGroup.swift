import Synchronization

/// The connections of one pool as each sees the others: when one reaches the server, the others stop waiting
/// out their backoff or the breaker's cool-down and reconnect at once, so the pool does not keep connections
/// paused after the server is back.
final class ConnectionGroup: Sendable {
    private struct Member {
        weak var worker: ConnectionWorker?
    }

    private let members = Mutex<[Member]>([])

    /// Sets the members, once, before their threads start.
    func set(_ workers: [ConnectionWorker]) {
        self.members.withLock { $0 = workers.map(Member.init) }
    }

    /// Wakes every member but `worker`.
    func serverReached(by worker: ConnectionWorker) {
        let others = self.members.withLock { $0.compactMap(\.worker).filter { $0 !== worker } }
        for other in others {
            other.wake()
        }
    }
}
