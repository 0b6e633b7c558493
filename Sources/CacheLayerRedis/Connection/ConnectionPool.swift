import CacheLayer
import Synchronization

/// The backend's connections. A call goes to the first connection with no call in flight, so that a caller
/// awaiting one call after another keeps to one connection, whose thread is still awake from the last reply;
/// when every connection is busy, calls are spread over them round-robin. Either way a connection that would
/// refuse the call (backing off, or behind the open breaker) is skipped while another one is connected; each
/// connection pipelines what it gets.
final class ConnectionPool: Sendable {
    /// A reply, or the error that ended the connection.
    typealias Reply = Result<RedisReply, CacheError>

    private let workers: [ConnectionWorker]
    private let next = Atomic<UInt>(0)
    let breaker: CircuitBreaker

    /// Starts `settings.connectionCount` connections to `settings.address`; `onConnect` gets the peer each time
    /// one of them connects.
    init(settings: ConnectionSettings, onConnect: @escaping @Sendable ((address: String, port: Int)?) -> Void) {
        let breaker = CircuitBreaker(
            failureThreshold: settings.reconnection.failureThreshold,
            coolDown: settings.reconnection.coolDown
        )
        self.breaker = breaker
        let group = ConnectionGroup()
        self.workers = (0..<settings.connectionCount).map { index in
            ConnectionWorker(settings: settings, index: index, breaker: breaker, group: group, onConnect: onConnect)
        }
        group.set(self.workers)
        for worker in self.workers {
            worker.start()
        }
    }

    /// The pool's connections, in order (tests look at them).
    var connections: [ConnectionWorker] { self.workers }

    /// Sends `command` on one connection and returns its reply, or the error that ended the connection.
    func send(_ command: RedisCommand, asking: Bool = false) async -> Reply {
        await self.deliver(command, asking: asking).mapError(\.error)
    }

    /// Like ``send(_:asking:)``, telling on failure whether the command may have run (it was written before the
    /// connection failed), so a caller knows whether it may send it again.
    func deliver(_ command: RedisCommand, asking: Bool = false) async -> ConnectionWorker.Outcome {
        for worker in self.workers where worker.isQuiet && !worker.isRefusing {
            return await worker.send(command, asking: asking)
        }
        let count = UInt(self.workers.count)
        let first = self.next.wrappingAdd(1, ordering: .relaxed).oldValue % count
        var chosen = self.workers[Int(first)]
        if chosen.isRefusing {
            for offset in 1..<count {
                let other = self.workers[Int((first + offset) % count)]
                if !other.isRefusing {
                    chosen = other
                    break
                }
            }
        }
        return await chosen.send(command, asking: asking)
    }

    func stop() {
        for worker in self.workers {
            worker.stop()
        }
    }
}
