import CacheLayer
import Synchronization

/// Applies what the invalidation connections report to the memory tier: evicts the keys that changed, flushes on
/// a server flush, and arms or disarms the gate as connections come and go.
final class InvalidationSink: Sendable {
    let gate: CoherenceGate
    let memory: MemoryBackend
    let namespaces: MemoryNamespaces
    let metrics: TwoTierMetrics?
    /// How many keys invalidations named so far (tests wait on it).
    let keysReceived = Atomic<Int>(0)
    /// How many times tracking was armed so far (tests wait on it).
    let armings = Atomic<Int>(0)
    /// How many answered `PING`s confirmed the invalidations before them so far (tests wait on it).
    let confirmations = Atomic<Int>(0)

    init(memory: MemoryBackend, namespaces: MemoryNamespaces, metrics: TwoTierMetrics?) {
        self.memory = memory
        self.namespaces = namespaces
        self.metrics = metrics
        // Every entry, not only those of the namespaces noted here: the memory tier may hold what an earlier
        // backend over it stored, which this one's invalidations would never name.
        self.gate = CoherenceGate { [memory] in memory.deleteAllImmediately(in: nil) }
    }

    /// Empties the memory tier.
    var clearMemory: @Sendable () -> Void { self.gate.clearMemory }

    /// Handles one listener's event, on its thread.
    func handle(_ event: InvalidationListener.Event, from listener: InvalidationListener) {
        switch event {
        case .armed(let time):
            self.gate.armed(listener, at: time)
            self.armings.wrappingAdd(1, ordering: .releasing)
        case .disarmed:
            self.gate.disarmed(listener)
            self.metrics?.flushed(.connectionLost)
        case .flushedByServer:
            self.gate.flush(self.clearMemory)
            self.metrics?.flushed(.serverFlush)
        case .confirmed(let time):
            self.gate.confirmed(listener, at: time)
            self.confirmations.wrappingAdd(1, ordering: .releasing)
        case .invalidated(let keys):
            for redisKey in keys {
                if let key = self.namespaces.cacheKey(forRedisKey: redisKey) {
                    self.gate.invalidate(key) { self.memory.deleteImmediately(key) }
                }
            }
            self.metrics?.invalidations.increment(by: keys.count)
            self.keysReceived.wrappingAdd(keys.count, ordering: .releasing)
        }
    }
}
