import Synchronization

/// Coalesces concurrent loads of one key within this process: the first miss starts the load, later misses of
/// the same key wait for it, and all of them get the same value or the same error.
///
/// The load runs in a task of its own, so a waiter that is cancelled gets `CancellationError` at once while the
/// load carries on for the others (and still fills the cache).
final class SingleFlight: Sendable {
    typealias Outcome = Result<any Sendable, any Error>

    /// One load in progress and the callers waiting for it.
    final class Flight: Sendable {
        private struct State {
            var outcome: Outcome?
            var waiters: [Int: UnsafeContinuation<Outcome, Never>] = [:]
            var cancelled: Set<Int> = []
            var nextWaiter = 0
        }

        private let state = Mutex(State())

        /// Waits for the load's outcome, or for this task's cancellation.
        func wait() async -> Outcome {
            let waiter = self.state.withLock { state in
                defer { state.nextWaiter += 1 }
                return state.nextWaiter
            }
            return await withTaskCancellationHandler {
                await withUnsafeContinuation { continuation in
                    let ready: Outcome? = self.state.withLock { state in
                        if let outcome = state.outcome { return outcome }
                        if state.cancelled.contains(waiter) { return .failure(CancellationError()) }
                        state.waiters[waiter] = continuation
                        return nil
                    }
                    if let ready {
                        continuation.resume(returning: ready)
                    }
                }
            } onCancel: {
                let continuation = self.state.withLock { state in
                    state.cancelled.insert(waiter)
                    return state.waiters.removeValue(forKey: waiter)
                }
                continuation?.resume(returning: .failure(CancellationError()))
            }
        }

        /// Hands `outcome` to every waiter, present and future.
        func finish(_ outcome: Outcome) {
            let waiters = self.state.withLock { state in
                state.outcome = outcome
                defer { state.waiters.removeAll() }
                return Array(state.waiters.values)
            }
            for waiter in waiters {
                waiter.resume(returning: outcome)
            }
        }
    }

    /// What a leader that ran its load in its own task (``Cache/readThrough(key:ttl:policy:tags:coding:loader:)``)
    /// hands its followers instead of a value or an error of the load.
    enum Handoff: Error {
        /// The leader was cancelled before its load finished: a follower takes over.
        case leaderCancelled
        /// The leader's value was not to be stored, so it is not shared either: each follower loads its own.
        case notShared
    }

    private let flights = Mutex<[CacheKey: Flight]>([:])

    /// Joins the load of `key` in progress, or starts a new one that this caller leads (`leads`); a leader must
    /// end it with ``land(_:_:_:)``.
    func join(_ key: CacheKey) -> (flight: Flight, leads: Bool) {
        self.flights.withLock { flights -> (Flight, Bool) in
            if let existing = flights[key] { return (existing, false) }
            let flight = Flight()
            flights[key] = flight
            return (flight, true)
        }
    }

    /// Ends a flight: leaves the map first, so that a miss after this point starts afresh (the cache holds the
    /// value by now), then hands `outcome` to every waiter.
    func land(_ key: CacheKey, _ flight: Flight, _ outcome: Outcome) {
        self.flights.withLock { flights in
            if flights[key] === flight { flights.removeValue(forKey: key) }
        }
        flight.finish(outcome)
    }

    /// Joins the load of `key` in progress, or starts one running `load`. Returns the outcome and whether this
    /// caller started the load (`false`: it was coalesced into another caller's).
    func run(
        _ key: CacheKey, _ load: @escaping @Sendable () async -> Outcome
    ) async -> (outcome: Outcome, started: Bool) {
        let (flight, started) = self.join(key)
        if started {
            // Not a child task: the load must outlive the cancellation of the caller that happened to start it.
            Task {
                self.land(key, flight, await load())
            }
        }
        return (await flight.wait(), started)
    }
}
