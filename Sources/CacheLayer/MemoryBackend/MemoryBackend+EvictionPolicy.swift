extension MemoryBackend {
    /// How a full memory shard chooses the entries that make room for a new one.
    ///
    /// Both policies keep a read hit cheap: a read only raises a small per-entry counter, and stops writing once the
    /// counter is at its cap, so reads of popular entries on several cores write nothing shared. Both are O(1) per
    /// operation, allocate nothing per operation once the shard is warm, hold the byte budget after every operation
    /// and never return an expired entry. See `MemoryTierInternals` in the documentation for the details, and
    /// Benchmarks/README.md for measured hit rates.
    public enum EvictionPolicy: String, Sendable, Hashable, CaseIterable {
        /// S3-FIFO (Yang et al., SOSP 2023), the default: new keys enter a small first-in first-out queue (10% of
        /// the budget) and move to the main queue only if read twice there; keys evicted from the small queue are
        /// remembered (by hash) so that a key back soon after goes straight to the main queue. A key read once, as
        /// in a scan, never displaces what is read often. The main queue is CLOCK with counters up to 3.
        case s3FIFO = "s3-fifo"
        /// Second chance (CLOCK), the policy before S3-FIFO: one queue, a referenced mark per entry, an approximation
        /// of least-recently-used. Better when the newest keys are the most requested (each key read a few times soon
        /// after it is written, then rarely); a scan larger than the cache empties it.
        case secondChance = "second-chance"
    }
}
