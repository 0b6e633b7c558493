import CacheLayer
import Synchronization

/// The backend's connections. Calls are spread over them round-robin; each connection pipelines what it gets.
final class ConnectionPool: Sendable {
    private let workers: [ConnectionWorker]
    private let next = Atomic<Int>(0)
    let breaker: CircuitBreaker

    init(configuration: RedisBackend.Configuration, onConnect: @escaping @Sendable ((address: String, port: Int)?) -> Void) {
        let breaker = CircuitBreaker(
            failureThreshold: configuration.reconnection.failureThreshold,
            coolDown: configuration.reconnection.coolDown
        )
        self.breaker = breaker
        self.workers = (0..<configuration.connectionCount).map { _ in
            ConnectionWorker(configuration: configuration, breaker: breaker, onConnect: onConnect)
        }
        for worker in self.workers {
            worker.start()
        }
    }

    func send(_ command: RedisCommand, asking: Bool = false) async -> ConnectionWorker.Reply {
        let index = self.next.wrappingAdd(1, ordering: .relaxed).oldValue
        return await self.workers[index % self.workers.count].send(command, asking: asking)
    }

    func stop() {
        for worker in self.workers {
            worker.stop()
        }
    }
}
