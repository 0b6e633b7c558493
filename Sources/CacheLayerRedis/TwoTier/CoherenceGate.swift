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
        /// Each listener's state: armed, and up to when invalidations are confirmed (clock nanoseconds).
        var armed: [ObjectIdentifier: Bool] = [:]
        var stopped = false
        /// Bumped by every change that stops the memory tier answering, so that an arming that flushed meanwhile
        /// does not start it again.
        var stops: UInt64 = 0

        var allArmed: Bool { !self.stopped && !self.armed.isEmpty && self.armed.values.allSatisfy { $0 } }
    }

    static let stripeCount = 1024
    private let stripes: [Stripe] = (0..<CoherenceGate.stripeCount).map { _ in Stripe() }
    private let epoch = Atomic<UInt64>(0)
    private let serving = Atomic<Bool>(false)
    private let listeners = Mutex(Listeners())
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

    /// A new invalidation connection, not armed yet: the memory tier stops answering until it is.
    func add(_ listener: AnyObject) {
        self.listeners.withLock { state in
            state.armed[ObjectIdentifier(listener)] = false
            self.stopServing(&state)
        }
    }

    /// An invalidation connection that is no longer needed (its node left the cluster).
    func remove(_ listener: AnyObject) {
        self.listeners.withLock { $0.armed[ObjectIdentifier(listener)] = nil }
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

    /// `listener` is armed: once all are, the memory tier is cleared (what it holds may have missed changes) and
    /// answers again, unless a connection was lost, added or the gate stopped while it was being cleared.
    func armed(_ listener: AnyObject) {
        let stops: UInt64? = self.listeners.withLock { state in
            if state.armed[ObjectIdentifier(listener)] != nil {
                state.armed[ObjectIdentifier(listener)] = true
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
