import CHiredis
import Synchronization

/// Where the connection thread leaves one request's outcome for its caller.
///
/// The caller may look for the outcome for a short while before it suspends (``outcome(pollingFor:)``): a reply
/// that comes back within a loopback round trip then reaches it without a suspension, and without waking a
/// thread of the cooperative pool for it. Otherwise it suspends, and ``deliver(_:)`` resumes it. Whichever of
/// ``deliver(_:)`` and the suspension comes second does the hand-over, decided by one compare-and-exchange, so the
/// outcome is handed over exactly once.
///
/// `@unchecked Sendable`: `outcome` is written once, by the connection thread, before `state` becomes `delivered`
/// (a releasing exchange) and read by the caller only after it saw `delivered` (acquiring); `continuation` is
/// written once, by the caller, before `state` becomes `suspended` (releasing), and read by the connection thread
/// only after it saw `suspended` (acquiring).
final class ReplySlot<Outcome: Sendable>: @unchecked Sendable {
    private static var waiting: Int { 0 }
    private static var suspended: Int { 1 }
    private static var delivered: Int { 2 }

    private let state = Atomic<Int>(0)
    private var outcome: Outcome?
    private var continuation: UnsafeContinuation<Outcome, Never>?

    init() {}

    /// Hands `outcome` to the caller: at once if it is suspended, else it finds it when it looks. Called once.
    func deliver(_ outcome: Outcome) {
        self.outcome = outcome
        let (delivered, _) = self.state.compareExchange(
            expected: Self.waiting, desired: Self.delivered, successOrdering: .releasing,
            failureOrdering: .acquiring)
        if !delivered {
            // The caller suspended first.
            self.continuation!.resume(returning: outcome)
        }
    }

    /// The outcome: looked for during `nanoseconds` (spinning, no system call), then awaited. Called once, by the
    /// caller that queued the request.
    func outcome(pollingFor nanoseconds: UInt64) async -> Outcome {
        if nanoseconds > 0 {
            let deadline = monotonicNanoseconds() + nanoseconds
            repeat {
                if self.state.load(ordering: .acquiring) == Self.delivered { return self.outcome! }
                cachelayer_cpu_relax()
            } while monotonicNanoseconds() < deadline
        }
        return await withUnsafeContinuation { continuation in
            self.continuation = continuation
            let (suspended, _) = self.state.compareExchange(
                expected: Self.waiting, desired: Self.suspended, successOrdering: .releasing,
                failureOrdering: .acquiring)
            if !suspended {
                // Delivered meanwhile.
                continuation.resume(returning: self.outcome!)
            }
        }
    }
}
