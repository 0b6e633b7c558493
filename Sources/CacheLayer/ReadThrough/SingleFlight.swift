import Synchronization

/// Coalesces concurrent loads of one key within this process: the first miss leads the load, later misses of the
/// same key wait for it, and all of them get the same value or the same error. One map serves every read-through
/// entry point (``Cache/getOrLoad(key:ttl:policy:tags:as:loader:)`` and ``Cache/readThrough(key:ttl:policy:tags:coding:loader:)``),
/// so that mixed callers of one key share one load.
///
/// A leader ``join(_:)``s, runs the load (in its own task, or in a task it starts) and ends the flight with
/// ``land(_:_:_:)``; the others ``Flight/wait()`` for what it lands: a value, the load's error, or a ``Handoff``.
final class SingleFlight: Sendable {
    /// What a flight hands its waiters.
    typealias Outcome = Result<any Sendable, any Error>
    /// A flight in the map: its value is typed by whoever leads it.
    typealias SharedFlight = Flight<any Sendable>

    /// One outcome to come and the callers waiting for it. A waiter that is cancelled stops waiting at once.
    final class Flight<Success: Sendable>: Sendable {
        private struct State {
            var outcome: Result<Success, any Error>?
            var waiters: [Int: UnsafeContinuation<Result<Success, any Error>, Never>] = [:]
            var cancelled: Set<Int> = []
            var nextWaiter = 0
        }

        private let state = Mutex(State())

        /// How many callers have started waiting so far (tests use it to order callers).
        var waitersJoined: Int { self.state.withLock { $0.nextWaiter } }

        /// The outcome, if the flight has one: a look that does not wait.
        var outcomeIfFinished: Result<Success, any Error>? { self.state.withLock { $0.outcome } }

        /// Waits for the outcome, or for this task's cancellation (then `CancellationError`).
        func wait() async -> Result<Success, any Error> {
            let waiter = self.state.withLock { state in
                defer { state.nextWaiter += 1 }
                return state.nextWaiter
            }
            return await withTaskCancellationHandler {
                await withUnsafeContinuation { continuation in
                    let ready: Result<Success, any Error>? = self.state.withLock { state in
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

        /// Hands `outcome` to every waiter, present and future. The first outcome stands: a later one is ignored.
        func finish(_ outcome: Result<Success, any Error>) {
            _ = self.finishFirst(outcome)
        }

        /// ``finish(_:)``, returning whether `outcome` was the first (and so the one handed on).
        func finishFirst(_ outcome: Result<Success, any Error>) -> Bool {
            let waiters = self.state.withLock { state -> [UnsafeContinuation<Result<Success, any Error>, Never>]? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                defer { state.waiters.removeAll() }
                return Array(state.waiters.values)
            }
            guard let waiters else { return false }
            for waiter in waiters {
                waiter.resume(returning: outcome)
            }
            return true
        }
    }

    /// What a leader hands its waiters instead of a value or an error of the load.
    enum Handoff: Error {
        /// The leader was cancelled before its load finished: a waiter takes over.
        case leaderCancelled
        /// The leader's value was not to be stored, so it is not shared either: each waiter loads its own.
        case notShared
        /// The backend refused the leader's store: the key was written, removed or invalidated since the load began
        /// (in this process or another), or another process's load stored first. The value may predate a change a
        /// waiter must see, so each waiter reads the key again, then joins the next flight or leads it.
        /// Carries the value and when its load began: a waiter whose call began before that may take it.
        case storeRefused(any Sendable, loadBegan: ContinuousClock.Instant)
    }

    private let flights = Mutex<[CacheKey: SharedFlight]>([:])
    /// How many flights the map holds, changed under its lock: a write with no load in flight (the usual case)
    /// detaches without taking the lock.
    private let count = Atomic<Int>(0)

    /// Joins the load of `key` in progress, or starts a new one that this caller leads (`leads`); a leader must
    /// end it with ``land(_:_:_:)``.
    func join(_ key: CacheKey) -> (flight: SharedFlight, leads: Bool) {
        self.flights.withLock { flights -> (SharedFlight, Bool) in
            if let existing = flights[key] { return (existing, false) }
            let flight = SharedFlight()
            flights[key] = flight
            self.count.store(flights.count, ordering: .sequentiallyConsistent)
            return (flight, true)
        }
    }

    /// Takes the flight of `key`, if any, out of the map: a miss from now on starts a new load, while the callers
    /// already waiting keep the flight's outcome. For a write, removal or invalidation of the key that is returning:
    /// the load in flight may have read what it replaced, and a caller that starts after it returned must not get
    /// that.
    ///
    /// With no flight in the map it takes no lock: a load that began before the change returned put its flight in
    /// the map before it began (and the count with it), and one that begins later reads what the change left.
    func detach(_ key: CacheKey) {
        guard self.count.load(ordering: .sequentiallyConsistent) > 0 else { return }
        self.flights.withLock { flights in
            flights.removeValue(forKey: key)
            self.count.store(flights.count, ordering: .sequentiallyConsistent)
        }
    }

    /// ``detach(_:)`` for every flight (a flush, or a tag invalidation, whose keys are not known here).
    func detachAll() {
        guard self.count.load(ordering: .sequentiallyConsistent) > 0 else { return }
        self.flights.withLock { flights in
            flights.removeAll()
            self.count.store(0, ordering: .sequentiallyConsistent)
        }
    }

    /// Ends a flight: leaves the map first (unless it was detached), so that a miss after this point starts afresh
    /// (the cache holds the value by now), then hands `outcome` to every waiter.
    func land(_ key: CacheKey, _ flight: SharedFlight, _ outcome: Outcome) {
        self.flights.withLock { flights in
            if flights[key] === flight {
                flights.removeValue(forKey: key)
                self.count.store(flights.count, ordering: .sequentiallyConsistent)
            }
        }
        flight.finish(outcome)
    }

    /// The flight of `key` in progress, if any (tests use it to order callers).
    func flight(for key: CacheKey) -> SharedFlight? {
        self.flights.withLock { $0[key] }
    }
}
