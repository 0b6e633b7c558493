extension MemoryBackend {
    /// How a full memory shard chooses the entries that make room for a new one.
    ///
    /// Both policies keep a read hit cheap: a read only raises a small per-entry counter, and stops writing once the
    /// counter is at its cap, so reads of popular entries on several cores write nothing shared. Both are O(1) per
    /// operation, allocate nothing per operation once the shard is warm, hold the byte budget after every operation
    /// and never return an expired entry. See `MemoryTierInternals` in the documentation for the details, and
    /// Benchmarks/README.md for measured hit rates.
    public enum EvictionPolicy: String, Sendable, Hashable, CaseIterable {
        /// W-TinyLFU (Einziger, Friedman and Manes, 2017), the default: new keys enter a small first-in first-out
        /// window (1% of the budget); leaving it, a key joins the main queue only if a frequency sketch says it was
        /// requested more often than the entry it would evict there. The sketch (16 to 32 bytes per entry) is
        /// fed only while the shard is changed anyway, never by a read hit. The best hit rate of the three on
        /// skewed traffic and on scans (Benchmarks/README.md); the main queue is CLOCK with counters up to 3.
        case windowTinyLFU = "w-tinylfu"
        /// S3-FIFO (Yang et al., SOSP 2023), the default before W-TinyLFU: new keys enter a small first-in first-out
        /// queue (10% of the budget) and move to the main queue only if read twice there; keys evicted from the small
        /// queue are remembered (by hash) so that a key back soon after goes straight to the main queue. A key read
        /// once, as in a scan, never displaces what is read often. The main queue is CLOCK with counters up to 3.
        case s3FIFO = "s3-fifo"
        /// Second chance (CLOCK), the first policy: one queue, a referenced mark per entry, an approximation
        /// of least-recently-used. Better when the newest keys are the most requested (each key read a few times soon
        /// after it is written, then rarely); a scan larger than the cache empties it.
        case secondChance = "second-chance"
    }
}
