import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One shard of the memory backend: its store, behind a lock that lets reads run side by side without writing
/// memory that another core's reads touch (a "big reader" lock).
///
/// A reader announces itself in one of the shard's ``ReadStripe``s, which it shares with no other thread while
/// fewer threads than stripes read (see ``ReaderNumber``), checks that no writer is active, reads the store
/// (``ShardStore/read(_:now:)`` changes nothing but an entry's atomic access counter), and leaves its stripe. A writer, and a read
/// that must change the store (an expired entry to remove), sets ``writing`` (compare-and-exchange: it is the
/// writers' lock too) and waits until every stripe of the shard is empty before it touches the store; a reader that
/// finds ``writing`` set leaves its stripe and takes the writers' way instead. Both sides announce themselves before they look at the other's
/// announcement, with sequentially consistent operations, so they never both go ahead (Dekker's argument); the
/// reader's release when it leaves, and the writer's release when it clears ``writing``, order every read before the
/// next write and every write before the next read.
///
/// Readers never wait for anything while announced, so a writer waits only for reads already in progress, each a
/// few hundred nanoseconds, unless the reading thread is preempted (it then yields the processor while it waits).
struct MemoryShard: ~Copyable {
    /// Where writers that found ``writing`` taken wait in line.
    let writers = Mutex<Void>(())
    /// Set while a writer has, or is about to have, the store to itself: taken by compare-and-exchange.
    let writing = Atomic<Bool>(false)
    /// The entries: read by announced readers while ``writing`` is clear, changed only by a writer holding
    /// ``writers`` once every stripe is empty.
    var store: ShardStore

    init(store: consuming ShardStore) {
        self.store = store
    }

    /// How many stripes each shard has: the number of threads that can read one shard at once without sharing a
    /// stripe's cache line.
    static let stripeCount = 8

    /// Reads the store of `shard` shared with other readers, announced in `stripe`; `nil` when a writer is active or
    /// the read needs to change the store, and the caller must take ``withExclusiveAccess(_:stripes:_:)``.
    @inline(__always)
    static func readShared(
        _ shard: UnsafeMutablePointer<MemoryShard>,
        stripe: UnsafeMutablePointer<ReadStripe>,
        _ key: CacheKey,
        hash: Int,
        now: () -> UInt64
    ) -> [UInt8]?? {
        stripe.pointee.readers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer { stripe.pointee.readers.wrappingSubtract(1, ordering: .releasing) }
        guard !shard.pointee.writing.load(ordering: .sequentiallyConsistent) else { return nil }
        switch shard.pointee.store.read(key, hash: hash, now: now) {
        case .hit(let value):
            stripe.pointee.hits.wrappingAdd(1, ordering: .relaxed)
            return .some(value)
        case .miss:
            stripe.pointee.misses.wrappingAdd(1, ordering: .relaxed)
            return .some(nil)
        case .expired:
            return nil
        }
    }

    /// Runs `body` with the store of `shard` to itself: with ``writing`` set by this call and each of the shard's
    /// `stripes` (``stripeCount`` of them, `ReadStripe.stride` bytes apart) empty.
    ///
    /// ``writing`` is the writers' lock as well as their announcement to readers: an uncontended write takes it with
    /// one compare-and-exchange (where a mutex, then a flag, took two read-modify-writes, and the mutex's release a
    /// third). A writer that finds it taken queues on ``writers``, so that only the first in line spins for it while
    /// the others sleep.
    @inline(__always)
    static func withExclusiveAccess<Result: Sendable, Failure: Error>(
        _ shard: UnsafeMutablePointer<MemoryShard>,
        stripes: UnsafeMutableRawPointer,
        _ body: (inout ShardStore) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if !Self.tryTakeWriting(shard) {
            shard.pointee.writers.withLock { _ in
                var spins = 0
                while !Self.tryTakeWriting(shard) {
                    spins += 1
                    if spins > 100 { sched_yield() }
                }
            }
        }
        defer { shard.pointee.writing.store(false, ordering: .releasing) }
        for index in 0..<Self.stripeCount {
            let stripe = (stripes + index * ReadStripe.stride).assumingMemoryBound(to: ReadStripe.self)
            var spins = 0
            while stripe.pointee.readers.load(ordering: .sequentiallyConsistent) != 0 {
                spins += 1
                if spins > 100 { sched_yield() }
            }
        }
        return try body(&shard.pointee.store)
    }

    /// Sets ``writing`` if it is clear; whether it did.
    @inline(__always)
    private static func tryTakeWriting(_ shard: UnsafeMutablePointer<MemoryShard>) -> Bool {
        shard.pointee.writing.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent)
            .exchanged
    }
}
