import Synchronization
import Tracing

/// The span attributes of calls served by one server (the single-node backend's server, or one master of a
/// cluster), updated with the peer address each time one of its connections is made.
final class SpanAttributesBox: Sendable {
    let current: Mutex<SpanAttributes>

    init(_ attributes: SpanAttributes) {
        self.current = Mutex(attributes)
    }

    /// Records the peer a connection just reached as `network.peer.address` and `network.peer.port`; `nil` (a
    /// unix socket, or a peer that could not be read) leaves the attributes as they are.
    func recordPeer(_ peer: (address: String, port: Int)?) {
        guard let peer else { return }
        self.current.withLock { attributes in
            attributes["network.peer.address"] = peer.address
            attributes["network.peer.port"] = peer.port
        }
    }
}
