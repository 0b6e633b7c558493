// The in-memory backend's budget, shards, statistics and expiry, seen from the outside.
//
// Run it with `swift run MemoryTier`.

// snippet.hide
import CacheLayer
import CacheLayerTesting

func memoryTier() async throws {
    // snippet.show
    // snippet.configuration
    let clock = ManualCacheClock()  // a test clock (CacheLayerTesting); the default is the system's monotonic clock
    let memory = try MemoryBackend(
        configuration: MemoryBackend.Configuration(
            byteBudget: 64 << 20,  // key, value and 160 bytes of overhead per entry count against it
            maximumEntries: 100_000,  // optional, on top of the byte budget
            shardCount: 16,  // rounded down to a power of two; each shard holds byteBudget / shardCount
            evictionPolicy: .s3FIFO,  // the default; .secondChance (CLOCK) is the other choice
            clock: clock,
            metricsLabel: "pages"  // the `backend` dimension of cache.memory.* metrics
        )
    )
    print(memory.shardCount, memory.maximumEntryCost)  // 16 4194304: the largest entry, key and overhead included
    // snippet.end

    // snippet.too-large
    let cache = try Cache(namespace: "pages", backend: memory)
    do {
        try await cache.putBytes("huge", [UInt8](repeating: 0, count: 5 << 20))
    } catch {
        print(error.code, error.message)  // value_too_large: refused whole, and nothing was evicted for it
    }
    // snippet.end

    // snippet.expiry
    try await cache.putBytes("home", Array("<h1>Home</h1>".utf8), ttl: .seconds(60))
    clock.advance(by: .seconds(61))
    let expired = try await cache.getBytes("home")  // nil: an expired value is never returned
    let statistics = memory.statistics  // entries, bytes, hits, misses, evictions, expirations
    // snippet.end
    // snippet.hide
    print(expired == nil, statistics)
}

try await memoryTier()
