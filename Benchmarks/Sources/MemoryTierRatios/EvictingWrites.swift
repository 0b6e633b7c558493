import CacheLayer

/// What each eviction policy costs a write that must evict: every policy gets a full 16 MiB `MemoryBackend` (one
/// shard, 100-byte values, about 58,000 entries) and each round writes `reads` keys it has never held into each, in
/// an order that rotates from round to round, so that every write makes room. Each write is followed by a read of a
/// key written shortly before, so that the policies that count reads see some. It prints each policy's median ns per write and
/// read pair over the rounds, and the median and range of its per-round ratio to second chance's.
///
/// W-TinyLFU's sketch is fed on these writes (a new key, and each evicted entry's reads), S3-FIFO's ghost is, and
/// second chance has neither: the ratios are what that bookkeeping costs where it is paid.
func measureEvictingWrites(_ options: Options) async throws {
    let namespace = try CacheNamespace("bench")
    let policies: [MemoryBackend.EvictionPolicy] = [.secondChance, .s3FIFO, .windowTinyLFU]
    var backends: [MemoryBackend] = []
    var next: [Int] = []
    for policy in policies {
        let backend = try MemoryBackend(
            configuration: .init(byteBudget: 16 << 20, shardCount: 1, evictionPolicy: policy))
        var written = 0
        while backend.statistics.evictions == 0 {
            let key = CacheKey(namespace: namespace, key: Workload.key(written))
            try await backend.set(key, to: Workload.value(0), ttl: nil)
            written += 1
        }
        backends.append(backend)
        next.append(written)
    }
    print("EvictingWrites: \(options.rounds) rounds x \(options.reads) new keys per policy, interleaved")
    let nanoseconds = try await interleavedRounds(options.rounds, scenarios: policies.count) { _, which in
        let backend = backends[which]
        let first = next[which]
        for index in first..<(first + options.reads) {
            let key = CacheKey(namespace: namespace, key: Workload.key(index))
            try await backend.set(key, to: Workload.value(index), ttl: nil)
            // Read a recent key again (a hit for every policy that still holds it).
            _ = try await backend.get(CacheKey(namespace: namespace, key: Workload.key(index - index % 7)))
        }
        next[which] += options.reads
        return options.reads
    }
    for (index, policy) in policies.enumerated() {
        let ratios = zip(nanoseconds[index], nanoseconds[0]).map { $0 / $1 }
        let statistics = backends[index].statistics
        print(
            "\(policy.rawValue): median \(format(median(nanoseconds[index]), 1)) ns per write and read; per-round ratio to second-chance: \(summary(ratios, 3)); evictions \(statistics.evictions), hits \(statistics.hits)"
        )
    }
}
