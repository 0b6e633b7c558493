import CacheLayer
import CacheLayerHealth
import Synchronization

/// The health scenarios' memory tier: a 64 MiB ``MemoryBackend``, replaced by a smaller one when a phase restarts
/// the server with another budget. Its health source adds the retired backends' evictions and expirations to the
/// current one's, so the monitor reads running totals across the restart, as it would from a process's metrics.
public final class ScenarioCacheTier: Sendable {
    private struct State {
        var backend: MemoryBackend
        var cache: Cache
        var retiredEvictions = 0
        var retiredExpirations = 0
    }

    private let state: Mutex<State>

    /// A tier with a backend of `byteBudget` bytes.
    public init(byteBudget: Int) throws {
        let backend = try MemoryBackend(byteBudget: byteBudget)
        self.state = Mutex(State(backend: backend, cache: try Cache(namespace: "responses", backend: backend)))
    }

    /// The cache the server uses now.
    public var cache: Cache { self.state.withLock { $0.cache } }

    /// The backend the server uses now.
    public var backend: MemoryBackend { self.state.withLock { $0.backend } }

    /// Replaces the backend by an empty one of `byteBudget` bytes (a restart with another budget).
    public func restart(byteBudget: Int) throws {
        let backend = try MemoryBackend(byteBudget: byteBudget)
        let cache = try Cache(namespace: "responses", backend: backend)
        self.state.withLock { state in
            let retired = state.backend.statistics
            state.retiredEvictions += retired.evictions
            state.retiredExpirations += retired.expirations
            state.backend = backend
            state.cache = cache
        }
    }

    /// The monitor's readings: `boundaries`' counters and this tier's totals.
    public func healthSource(boundaries: CacheBoundaries) -> CacheHealthSource {
        CacheHealthSource { [self] in
            let tier = self.state.withLock { state in
                let statistics = state.backend.statistics
                return CacheHealthReading.MemoryTier(
                    evictions: state.retiredEvictions + statistics.evictions,
                    expirations: state.retiredExpirations + statistics.expirations,
                    bytes: statistics.bytes,
                    byteBudget: state.backend.configuration.byteBudget
                )
            }
            return CacheHealthReading(boundaries: boundaries.statistics(), memoryTier: tier)
        }
    }
}
