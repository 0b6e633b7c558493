import Synchronization

/// Shared by a backend's connections: after `failureThreshold` consecutive failed connection attempts it opens,
/// and connections stop trying (calls fail at once) until `coolDown` has passed; then exactly one connection gets
/// to probe. A success closes it.
final class CircuitBreaker: Sendable {
    enum Permission: Equatable {
        /// Connect now.
        case attempt
        /// Do not connect before this monotonic time (nanoseconds).
        case wait(until: UInt64)
    }

    private struct State {
        var consecutiveFailures = 0
        var openUntil: UInt64?
        var probing = false
    }

    private let failureThreshold: Int
    private let coolDown: UInt64
    private let state = Mutex(State())

    init(failureThreshold: Int, coolDown: Duration) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown.nanoseconds
    }

    var isOpen: Bool { self.state.withLock { $0.openUntil != nil } }

    func permission(now: UInt64) -> Permission {
        self.state.withLock { state in
            guard let openUntil = state.openUntil else { return .attempt }
            if now < openUntil { return .wait(until: openUntil) }
            if state.probing { return .wait(until: now + self.coolDown) }
            state.probing = true
            return .attempt
        }
    }

    func recordSuccess() {
        self.state.withLock { $0 = State() }
    }

    func recordFailure(now: UInt64) {
        self.state.withLock { state in
            state.consecutiveFailures += 1
            state.probing = false
            if state.consecutiveFailures >= self.failureThreshold {
                state.openUntil = now + self.coolDown
            }
        }
    }
}
