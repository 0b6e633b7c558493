import Synchronization

/// The memory backend's tags and guarded loads, kept beside the store: the store and its eviction know nothing of
/// them.
///
/// One lock covers the index and, while it is held, the store operations that must be atomic with it: a tagged
/// write, a guarded load's store, a delete, a namespace flush and a tag invalidation each run their store
/// operation inside ``withLock(_:)``, so a load's store either sees the removal that cancelled it or happens
/// before it (and is removed by it). Reads and untagged writes never take this lock. Lock order: this lock, then
/// a shard's.
///
/// Memory: a tag holds the keys written with it since its last invalidation; keys that have left the store
/// (evicted, expired, deleted) are pruned from a tag when it has doubled since its last pruning. A pending load
/// is one entry until it stores, or until its window ends and a later load prunes it.
final class MemoryTagIndex: Sendable {
    /// A load between ``CacheBackend/beginLoad(of:tags:ttl:window:)`` and its store.
    struct PendingLoad {
        let key: CacheKey
        /// Monotonic nanoseconds (the backend's clock) after which the load may no longer store.
        let deadline: UInt64
    }

    struct State {
        /// The keys written with each tag since its last invalidation (some may have left the store).
        var members: [CacheTag: Set<CacheKey>] = [:]
        /// The member count at which a tag is next pruned.
        var pruneAt: [CacheTag: Int] = [:]
        /// The loads in flight, by number.
        var loads: [UInt64: PendingLoad] = [:]
        /// The numbers of the loads in flight of each key.
        var loadsByKey: [CacheKey: Set<UInt64>] = [:]
        var nextLoad: UInt64 = 1
        /// The pending-load count at which expired loads are next pruned.
        var loadsPruneAt = State.minimumPruneCount

        static let minimumPruneCount = 64

        /// Records `key` as a member of `tags`, pruning a tag that has doubled: a member stays while `exists` says
        /// it has a live value or a load of it is pending, and `key` itself stays (its value is stored after this).
        mutating func add(_ key: CacheKey, to tags: [CacheTag], exists: (CacheKey) -> Bool) {
            for tag in tags {
                let count = self.members[tag, default: []].insert(key).inserted ? self.members[tag]!.count : 0
                if count > self.pruneAt[tag, default: Self.minimumPruneCount] {
                    self.members[tag] = self.members[tag]!.filter { member in
                        member == key || self.loadsByKey[member] != nil || exists(member)
                    }
                    self.pruneAt[tag] = max(Self.minimumPruneCount, 2 * self.members[tag]!.count)
                }
            }
        }

        /// Starts a load of `key`; returns its number.
        mutating func begin(_ key: CacheKey, deadline: UInt64, now: UInt64) -> UInt64 {
            if self.loads.count >= self.loadsPruneAt {
                for (number, load) in self.loads where load.deadline <= now {
                    self.end(number, of: load.key)
                }
                self.loadsPruneAt = max(Self.minimumPruneCount, 2 * self.loads.count)
            }
            let number = self.nextLoad
            self.nextLoad += 1
            self.loads[number] = PendingLoad(key: key, deadline: deadline)
            self.loadsByKey[key, default: []].insert(number)
            return number
        }

        /// Ends load `number`: whether it was still pending and within its window.
        mutating func finish(_ number: UInt64, of key: CacheKey, now: UInt64) -> Bool {
            let pending = self.isPending(number, of: key, now: now)
            self.end(number, of: key)
            return pending
        }

        /// Whether load `number` of `key` is still pending and within its window.
        func isPending(_ number: UInt64, of key: CacheKey, now: UInt64) -> Bool {
            guard let load = self.loads[number], load.key == key else { return false }
            return now < load.deadline
        }

        /// Forgets load `number`, pending or not.
        mutating func end(_ number: UInt64, of key: CacheKey) {
            self.loads[number] = nil
            if var numbers = self.loadsByKey[key] {
                numbers.remove(number)
                self.loadsByKey[key] = numbers.isEmpty ? nil : numbers
            }
        }

        /// Cancels every pending load of `key`: their stores will be refused.
        mutating func cancelLoads(of key: CacheKey) {
            guard let numbers = self.loadsByKey.removeValue(forKey: key) else { return }
            for number in numbers {
                self.loads[number] = nil
            }
        }

        /// Cancels the pending loads of `namespace` and forgets its tags.
        mutating func forget(_ namespace: CacheNamespace) {
            for key in self.loadsByKey.keys where key.namespace == namespace {
                self.cancelLoads(of: key)
            }
            for tag in self.members.keys where tag.namespace == namespace {
                self.members[tag] = nil
                self.pruneAt[tag] = nil
            }
        }

        /// Takes the members of `tags` out of the index and cancels their pending loads; returns the members.
        mutating func take(_ tags: [CacheTag]) -> Set<CacheKey> {
            var taken = Set<CacheKey>()
            for tag in tags {
                guard let keys = self.members.removeValue(forKey: tag) else { continue }
                self.pruneAt[tag] = nil
                taken.formUnion(keys)
            }
            for key in taken {
                self.cancelLoads(of: key)
            }
            return taken
        }
    }

    /// The index; its lock is the one described above.
    private let state = Mutex(State())
    /// How many loads are pending, published under the lock: an untagged write takes the lock (to cancel the key's
    /// loads) only when some load is pending, so writes pay nothing for guarded loads while there are none.
    private let pendingLoads = Atomic<Int>(0)

    /// Whether any load is pending. A load that begins after this returned `false` began after the caller's write.
    var hasPendingLoads: Bool { self.pendingLoads.load(ordering: .sequentiallyConsistent) != 0 }

    /// Runs `body` on the index under its lock.
    func withLock<Result: Sendable, Failure: Error>(
        _ body: (inout State) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try self.state.withLock { (state) throws(Failure) -> Result in
            defer { self.pendingLoads.store(state.loads.count, ordering: .sequentiallyConsistent) }
            return try body(&state)
        }
    }
}
