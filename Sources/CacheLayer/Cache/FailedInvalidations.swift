import Synchronization

/// The removals and tag invalidations of one cache that failed because the backend could not be reached, kept
/// until they can be replayed (with ``Cache/Configuration/failOpen``, which otherwise makes them silent no-ops, and
/// the old values would be served again once the backend is back).
///
/// While any is kept, the cache does not read from the backend (reads are misses) and does not write to it: the
/// next call first replays them, in order, and only when all went through does it use the backend again. Bounded:
/// past ``Cache/Configuration/failedInvalidationLimit`` entries, the queue becomes one flush of the namespace,
/// which removes at least everything the dropped entries would have.
final class FailedInvalidations: Sendable {
    /// One failed removal.
    enum Entry: Sendable, Equatable {
        case key(CacheKey)
        case tags([CacheTag])
        case namespace
    }

    /// What happened to an entry, for the `cache.failed_invalidations` counter.
    enum Event {
        case queued, replayed, collapsed
    }

    private let entries = Mutex<[Entry]>([])
    /// Mirrors `!entries.isEmpty`, read without the lock on every call.
    private let pending = Atomic<Bool>(false)
    private let limit: Int

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Whether some removal waits for replay.
    var isPending: Bool { self.pending.load(ordering: .acquiring) }

    /// Keeps `entry`. Returns `.collapsed` when the queue was full and became one namespace flush.
    func record(_ entry: Entry) -> Event {
        self.entries.withLock { entries in
            defer { self.pending.store(true, ordering: .releasing) }
            if entries.contains(.namespace) { return .queued }
            if entry == .namespace || entries.count >= self.limit {
                entries = [.namespace]
                return entry == .namespace ? .queued : .collapsed
            }
            entries.append(entry)
            return .queued
        }
    }

    /// The entries kept, oldest first.
    func snapshot() -> [Entry] {
        self.entries.withLock { $0 }
    }

    /// Forgets the first `count` entries of a ``snapshot()`` that were replayed. Entries recorded meanwhile stay;
    /// a collapse meanwhile (the queue is then one flush, not yet replayed) is kept as it is.
    func forget(first replayed: [Entry]) {
        self.entries.withLock { entries in
            if entries.starts(with: replayed) {
                entries.removeFirst(replayed.count)
            }
            self.pending.store(!entries.isEmpty, ordering: .releasing)
        }
    }
}
