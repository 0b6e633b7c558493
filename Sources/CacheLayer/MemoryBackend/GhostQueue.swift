/// The keys S3-FIFO recently evicted from its small queue, remembered by hash only (no key, no value): a key written
/// again while it is remembered skips the small queue and goes straight to the main one.
///
/// A first-in first-out ring of hashes, at most ``capacity`` long (the oldest is forgotten when a new one comes and
/// the ring is full), and an open-addressing index from hash to the position of its newest copy in the ring, so that
/// ``contains(_:)`` and ``remove(_:)`` are O(1). ``remove(_:)`` forgets a hash at once: the index entry goes, and the
/// ring positions it held become dead, still counting towards the capacity until they leave the ring. The ring and
/// the index grow only when the capacity does (it follows the shard's slot count), so steady-state operations do not
/// allocate.
struct GhostQueue: Sendable {
    private struct Bucket: Sendable {
        var hash: Int
        /// The ring position (a sequence number) of the newest copy of `hash`, or -1 for an empty bucket.
        var sequence: Int
    }

    /// The most hashes the ring holds, dead positions included.
    private(set) var capacity = 0
    /// The ring, `ring.count` a power of two at least `capacity`.
    private var ring: [Int] = []
    /// The sequence number of the oldest position in the ring (`count` positions follow it).
    private var firstSequence = 0
    private(set) var count = 0
    /// At most half full; `buckets.count` is a power of two.
    private var buckets: [Bucket] = Array(repeating: Bucket(hash: 0, sequence: -1), count: 16)
    private var live = 0

    /// Whether `hash` is remembered.
    func contains(_ hash: Int) -> Bool {
        self.bucket(of: hash) != nil
    }

    /// Forgets `hash`; returns whether it was remembered.
    @discardableResult
    mutating func remove(_ hash: Int) -> Bool {
        guard let bucket = self.bucket(of: hash) else { return false }
        self.removeFromIndex(bucket: bucket)
        return true
    }

    /// Remembers `hash` as the newest, forgetting the oldest position first when the ring is full. Does nothing while
    /// the capacity is 0.
    mutating func append(_ hash: Int) {
        guard self.capacity > 0 else { return }
        if self.count == self.capacity {
            self.dropOldest()
        }
        let sequence = self.firstSequence + self.count
        self.ring[sequence & (self.ring.count - 1)] = hash
        self.count += 1
        if let bucket = self.bucket(of: hash) {
            self.buckets[bucket].sequence = sequence
        } else {
            self.insertIntoIndex(Bucket(hash: hash, sequence: sequence))
        }
    }

    /// Raises the capacity to `capacity` (never lowers it), growing the ring and index when they are too small.
    mutating func raiseCapacity(to capacity: Int) {
        guard capacity > self.capacity else { return }
        self.capacity = capacity
        guard capacity > self.ring.count else { return }
        var size = max(self.ring.count, 16)
        while size < capacity { size *= 2 }
        var ring = [Int](repeating: 0, count: size)
        let oldMask = self.ring.count - 1
        for offset in 0..<self.count {
            let sequence = self.firstSequence + offset
            ring[sequence & (size - 1)] = self.ring[sequence & oldMask]
        }
        self.ring = ring
        if size * 2 > self.buckets.count {
            let old = self.buckets
            self.buckets = Array(repeating: Bucket(hash: 0, sequence: -1), count: size * 2)
            self.live = 0
            for bucket in old where bucket.sequence >= 0 {
                self.insertIntoIndex(bucket)
            }
        }
    }

    /// The remembered hashes, oldest first, each once (at its newest position). O(capacity): for tests.
    func rememberedInOrder() -> [Int] {
        var result: [Int] = []
        for offset in 0..<self.count {
            let sequence = self.firstSequence + offset
            let hash = self.ring[sequence & (self.ring.count - 1)]
            if let bucket = self.bucket(of: hash), self.buckets[bucket].sequence == sequence {
                result.append(hash)
            }
        }
        return result
    }

    /// The first broken invariant, or `nil`. O(capacity): for tests.
    func brokenInvariant() -> String? {
        if self.count > self.capacity { return "the ghost ring holds \(self.count) of \(self.capacity)" }
        if self.live * 2 > self.buckets.count { return "the ghost index is more than half full" }
        let indexed = self.buckets.filter { $0.sequence >= 0 }.count
        if indexed != self.live { return "the ghost index counts \(self.live) but holds \(indexed)" }
        if self.rememberedInOrder().count != indexed { return "a ghost index entry points outside the ring" }
        return nil
    }

    private mutating func dropOldest() {
        let sequence = self.firstSequence
        let hash = self.ring[sequence & (self.ring.count - 1)]
        // Only the newest copy is indexed: an older (or forgotten) one leaves without touching the index.
        if let bucket = self.bucket(of: hash), self.buckets[bucket].sequence == sequence {
            self.removeFromIndex(bucket: bucket)
        }
        self.firstSequence += 1
        self.count -= 1
    }

    private func bucket(of hash: Int) -> Int? {
        let mask = self.buckets.count - 1
        var bucket = hash & mask
        while true {
            let entry = self.buckets[bucket]
            if entry.sequence < 0 { return nil }
            if entry.hash == hash { return bucket }
            bucket = (bucket + 1) & mask
        }
    }

    private mutating func insertIntoIndex(_ entry: Bucket) {
        let mask = self.buckets.count - 1
        var bucket = entry.hash & mask
        while self.buckets[bucket].sequence >= 0 {
            bucket = (bucket + 1) & mask
        }
        self.buckets[bucket] = entry
        self.live += 1
    }

    /// Empties `bucket`, shifting later entries of its probe run back (deletion without tombstones).
    private mutating func removeFromIndex(bucket: Int) {
        let mask = self.buckets.count - 1
        var hole = bucket
        var next = bucket
        while true {
            next = (next + 1) & mask
            let entry = self.buckets[next]
            if entry.sequence < 0 { break }
            let home = entry.hash & mask
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !staysPut {
                self.buckets[hole] = entry
                hole = next
            }
        }
        self.buckets[hole] = Bucket(hash: 0, sequence: -1)
        self.live -= 1
    }
}
