import CacheLayer
import Synchronization

/// Decides when the memory tier may answer and when a Redis answer may be stored in it.
///
/// The memory tier answers only while every invalidation connection is armed (``isServing``). A read that goes to
/// Redis takes a ``Ticket`` first; its answer is stored only if, under the key's stripe lock, nothing touched the
/// key since (an invalidation, a local write or remove bumps the stripe's generation) and no flush or disarm
/// happened (each bumps the epoch). Invalidations bump the generation and evict under the same lock, so an
/// invalidation that arrives before the GET reply it concerns wins, whatever the threads do in between.
///
/// Keys share a stripe by hash: a change to one key also refuses the fills in flight of the others in its
/// stripe, which costs a miss later and never a stale read.
///
/// It also keeps the oldest of the connections' confirmations (the clock time before which every invalidation is
/// known to be applied), which ``isConfirmed(within:now:)`` compares with a staleness bound.
final class CoherenceGate: Sendable {
    /// What a read took before asking Redis.
    struct Ticket: Sendable {
        let stripe: Int
        let generation: UInt64
        let epoch: UInt64
    }

    private final class Stripe: Sendable {
        let generation = Mutex<UInt64>(0)
    }

    private struct Listeners {
        /// Each listener's state: armed or not.
        var armed: [ObjectIdentifier: Bool] = [:]
        /// Each listener's confirmation (clock nanoseconds), 0 until it is armed.
        var confirmed: [ObjectIdentifier: UInt64] = [:]
        /// How to ask each listener for a confirmation now.
        var wakers: [ObjectIdentifier: @Sendable () -> Void] = [:]
        var stopped = false
        /// Bumped by every change that stops the memory tier answering, so that an arming that flushed meanwhile
        /// does not start it again.
        var stops: UInt64 = 0

        var allArmed: Bool { !self.stopped && !self.armed.isEmpty && self.armed.values.allSatisfy { $0 } }

        /// The oldest listener's confirmation: every invalidation sent before it has been applied.
        var oldestConfirmation: UInt64 { self.armed.keys.map { self.confirmed[$0] ?? 0 }.min() ?? 0 }
    }

    static let stripeCount = 1024
    private let stripes: [Stripe] = (0..<CoherenceGate.stripeCount).map { _ in Stripe() }
    private let epoch = Atomic<UInt64>(0)
    private let serving = Atomic<Bool>(false)
    private let listeners = Mutex(Listeners())
    /// ``Listeners/oldestConfirmation``, readable without the lock.
    private let confirmedThrough = Atomic<UInt64>(0)
    /// Set when a reader asked the listeners for a confirmation, cleared when the oldest one advances: readers ask
    /// once per round, not once each.
    private let confirmationRequested = Atomic<Bool>(false)
    let clearMemory: @Sendable () -> Void

    /// `clearMemory` empties the memory tier; the gate calls it when it flushes.
    init(clearMemory: @escaping @Sendable () -> Void) {
        self.clearMemory = clearMemory
    }

    /// Whether the memory tier may answer reads now.
    var isServing: Bool { self.serving.load(ordering: .acquiring) }

    /// A ticket for a read of `key` that goes to Redis, or `nil` when its answer must not be stored (not serving).
    func ticket(for key: CacheKey) -> Ticket? {
        guard self.isServing else { return nil }
        let stripe = Self.stripe(of: key)
        let epoch = self.epoch.load(ordering: .acquiring)
        let generation = self.stripes[stripe].generation.withLock { $0 }
        // Armed again after a disarm between the two loads: the epoch check at fill time catches it.
        return Ticket(stripe: stripe, generation: generation, epoch: epoch)
    }

    /// Runs `store` (which puts the Redis answer in memory) if nothing touched the key since `ticket` was taken.
    /// Returns whether it ran.
    @discardableResult
    func fill(_ ticket: Ticket, _ store: () -> Void) -> Bool {
        self.stripes[ticket.stripe].generation.withLock { generation in
            guard generation == ticket.generation, self.isServing,
                self.epoch.load(ordering: .acquiring) == ticket.epoch
            else { return false }
            store()
            return true
        }
    }

    /// A change to `key` (an invalidation, or a local write or remove): refuses the fills in flight and runs
    /// `evict` (which removes the key from memory) under the same lock.
    func invalidate(_ key: CacheKey, _ evict: () -> Void) {
        self.stripes[Self.stripe(of: key)].generation.withLock { generation in
            generation &+= 1
            evict()
        }
    }

    /// Refuses every fill in flight, waits for those already storing, then runs `clear`.
    func flush(_ clear: () -> Void) {
        self.epoch.wrappingAdd(1, ordering: .sequentiallyConsistent)
        // A fill that checked the old epoch holds its stripe's lock until it has stored: pass every lock once.
        for stripe in self.stripes {
            stripe.generation.withLock { _ in }
        }
        clear()
    }

    // MARK: Invalidation connections

    /// A new invalidation connection, not armed yet: the memory tier stops answering until it is. `wake` asks it
    /// for a confirmation now (``isConfirmed(within:now:)``).
    func add(_ listener: AnyObject, wake: @escaping @Sendable () -> Void = {}) {
        self.listeners.withLock { state in
            state.armed[ObjectIdentifier(listener)] = false
            state.confirmed[ObjectIdentifier(listener)] = 0
            state.wakers[ObjectIdentifier(listener)] = wake
            self.stopServing(&state)
            self.updateConfirmation(state)
        }
    }

    /// An invalidation connection that is no longer needed (its node left the cluster).
    func remove(_ listener: AnyObject) {
        self.listeners.withLock { state in
            state.armed[ObjectIdentifier(listener)] = nil
            state.confirmed[ObjectIdentifier(listener)] = nil
            state.wakers[ObjectIdentifier(listener)] = nil
            self.updateConfirmation(state)
        }
    }

    /// Whether `listener` is one of this gate's invalidation connections and armed.
    func isArmed(_ listener: AnyObject) -> Bool {
        self.listeners.withLock { $0.armed[ObjectIdentifier(listener)] == true }
    }

    /// `listener` has applied every invalidation sent before `time` (clock nanoseconds).
    func confirmed(_ listener: AnyObject, at time: UInt64) {
        self.listeners.withLock { state in
            guard let previous = state.confirmed[ObjectIdentifier(listener)], time > previous else { return }
            state.confirmed[ObjectIdentifier(listener)] = time
            self.updateConfirmation(state)
        }
    }

    /// Whether every invalidation sent more than `bound` nanoseconds before `now` (clock nanoseconds) is known to
    /// have been applied. Past half the bound, the listeners are asked to confirm again, so that readers who keep
    /// reading keep finding a fresh confirmation.
    func isConfirmed(within bound: UInt64, now: UInt64) -> Bool {
        // Negative when a confirmation later than `now` was stored since the clock was read.
        let age = Int64(bitPattern: now &- self.confirmedThrough.load(ordering: .acquiring))
        if age > Int64(bound / 2) {
            self.requestConfirmation()
        }
        return age <= Int64(bound)
    }

    private func requestConfirmation() {
        guard !self.confirmationRequested.load(ordering: .relaxed),
            self.confirmationRequested.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
        else { return }
        for wake in self.listeners.withLock({ Array($0.wakers.values) }) {
            wake()
        }
    }

    /// Called under the listeners' lock: publishes the oldest confirmation, and lets readers ask again once it
    /// advanced.
    private func updateConfirmation(_ state: Listeners) {
        let oldest = state.oldestConfirmation
        if self.confirmedThrough.exchange(oldest, ordering: .acquiringAndReleasing) < oldest {
            self.confirmationRequested.store(false, ordering: .relaxed)
        }
    }

    /// `listener` lost its connection: stop answering from memory and refuse the fills in flight. The entries
    /// stay (for ``TwoTierBackend/Configuration/outageServeLimit``) until tracking is armed again, which clears
    /// them.
    func disarmed(_ listener: AnyObject) {
        self.listeners.withLock { state in
            guard state.armed[ObjectIdentifier(listener)] != nil else { return }
            state.armed[ObjectIdentifier(listener)] = false
            self.stopServing(&state)
        }
    }

    /// `listener` is armed, every change since `time` (clock nanoseconds) reported: once all are, the memory tier is
    /// cleared (what it holds may have missed changes) and answers again, unless a connection was lost, added or
    /// the gate stopped while it was being cleared.
    func armed(_ listener: AnyObject, at time: UInt64) {
        let stops: UInt64? = self.listeners.withLock { state in
            if state.armed[ObjectIdentifier(listener)] != nil {
                state.armed[ObjectIdentifier(listener)] = true
                state.confirmed[ObjectIdentifier(listener)] = time
                self.updateConfirmation(state)
            }
            return state.allArmed ? state.stops : nil
        }
        guard let stops else { return }
        self.flush(self.clearMemory)
        // Under the lock that every stop takes: a stop either came before (and is seen here) or comes after.
        self.listeners.withLock { state in
            guard state.stops == stops, state.allArmed else { return }
            self.serving.store(true, ordering: .releasing)
        }
    }

    /// Stops answering from memory for good (the backend shut down).
    func stop() {
        self.listeners.withLock { state in
            state.stopped = true
            self.stopServing(&state)
        }
    }

    /// Called under the listeners' lock, which every change of ``isServing`` holds.
    private func stopServing(_ state: inout Listeners) {
        state.stops &+= 1
        self.serving.store(false, ordering: .releasing)
        self.epoch.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    private static func stripe(of key: CacheKey) -> Int {
        key.hashValue & (Self.stripeCount - 1)
    }
}
