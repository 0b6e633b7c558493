import Synchronization

@testable import CacheLayerRedis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds a connection thread at a hook point until the test opens it: the way the race tests stop the thread at
/// the exact moment a race needs. Only the first arrival is held; later ones pass.
final class HookGate: Sendable {
    private struct State {
        var arrivals = 0
        var opened: ConnectionTestHooks.Action?
    }

    private let state = Mutex(State())

    /// Called on the connection thread: holds the first caller until ``open(_:)``, then returns its action.
    func pass() -> ConnectionTestHooks.Action {
        let first = self.state.withLock { state in
            state.arrivals += 1
            return state.arrivals == 1
        }
        guard first else { return .proceed }
        // The connection thread is an OS thread of its own: holding it blocks nobody else.
        while true {
            if let action = self.state.withLock({ $0.opened }) { return action }
            usleep(1_000)
        }
    }

    /// Lets the held thread go on, with `action`.
    func open(_ action: ConnectionTestHooks.Action = .proceed) {
        self.state.withLock { $0.opened = action }
    }

    /// Whether a thread reached the gate within `limit`.
    func waitForArrival(within limit: Duration = .seconds(10)) async -> Bool {
        await waitUntil(within: limit) { self.state.withLock { $0.arrivals > 0 } }
    }
}
