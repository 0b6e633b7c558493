import Synchronization

/// Where readers of one memory shard announce themselves, and count what they found: on a cache line pair of its
/// own, so that readers on different threads write different memory.
struct ReadStripe: ~Copyable {
    /// Readers of the shard announced here and not gone yet.
    let readers = Atomic<Int>(0)
    /// Hits and misses of the reads made here (the exclusive path counts its own in the store).
    let hits = Atomic<Int>(0)
    let misses = Atomic<Int>(0)

    /// The distance between two stripes in memory: two cache lines, since a core may fetch lines in pairs.
    static let stride = (MemoryLayout<ReadStripe>.size + 127) / 128 * 128
}
