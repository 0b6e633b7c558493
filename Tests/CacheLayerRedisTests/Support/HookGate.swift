import CacheLayer
import Synchronization
import Testing

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

/// The hook events of a backend's connections, in order, with the monotonic time of each.
final class HookEventLog: Sendable {
    struct Entry: Sendable {
        let nanoseconds: UInt64
        let connection: Int
        let event: ConnectionTestHooks.Event
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ point: ConnectionTestHooks.Point) {
        let entry = Entry(nanoseconds: monotonicNanoseconds(), connection: point.connection, event: point.event)
        self.entries.withLock { $0.append(entry) }
    }

    var all: [Entry] { self.entries.withLock { $0 } }

    func count(where predicate: (Entry) -> Bool) -> Int {
        self.all.filter(predicate).count
    }
}

/// A call running in a task of its own, so a test can tell whether it came back within a bound without waiting
/// for it forever (a call that never comes back must fail the test, not hang it).
final class CallProbe<Value: Sendable>: Sendable {
    private let outcome = Mutex<(result: Result<Value, CacheError>, elapsed: Duration)?>(nil)

    init(_ call: @escaping @Sendable () async throws(CacheError) -> Value) {
        Task {
            let start = ContinuousClock.now
            let result: Result<Value, CacheError>
            do throws(CacheError) {
                result = .success(try await call())
            } catch {
                result = .failure(error)
            }
            let elapsed = ContinuousClock.now - start
            self.outcome.withLock { $0 = (result, elapsed) }
        }
    }

    var isFinished: Bool { self.outcome.withLock { $0 != nil } }

    /// The call's result and how long it took, or `nil` when it has not come back within `limit`.
    func result(within limit: Duration) async -> (result: Result<Value, CacheError>, elapsed: Duration)? {
        _ = await waitUntil(within: limit) { self.isFinished }
        return self.outcome.withLock { $0 }
    }
}

/// Polls `condition` every 2 ms until it holds or `limit` has passed; returns whether it held. For waiting on a
/// state the test forced, never for a race to happen by itself.
func waitUntil(within limit: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}
