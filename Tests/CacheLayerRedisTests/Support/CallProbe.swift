import CacheLayer
import Synchronization

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
