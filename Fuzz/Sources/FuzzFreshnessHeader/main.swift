import CacheLayer
import CacheLayerTesting
import Dispatch
import FuzzSupport

// The read side of the freshness header, through the public read path: the input's bytes are stored under a key as
// they are (as if read back from Redis), then read through with a grace period and early refresh, which is what
// makes `Cache` look for the header. The harness does not know the header's layout, so it keeps working when the
// framing changes.
//
// Input: one policy byte (bit 0: grace period; bits 1-2: early refresh off, beta 0.5, 1 or 8), then the stored
// bytes. Early refresh draws from a seeded generator.
// Invariants besides "no trap": a value served from the cache (`hit`, `stale`) is the stored bytes or a suffix of
// them (what is left after a header); a value that was loaded is the loader's.

/// The cache, its clock at a plausible Unix-epoch time (2027), and a backend that never evicts at these sizes.
let cache: Cache = {
    do {
        return try Cache(
            namespace: "fuzz",
            backend: MemoryBackend(byteBudget: 64 << 20),
            configuration: Cache.Configuration(
                random: SeededCacheRandom(seed: 1),
                freshnessClock: ManualCacheClock(start: .milliseconds(1_800_000_000_000))
            )
        )
    } catch {
        fatalError("the fuzzing cache does not start: \(error)")
    }
}()

let identity = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
let loaded: [UInt8] = Array("loaded by the harness".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFreshnessHeader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let policyByte = input[0]
    let stored = Array(input.dropFirst())
    let betas: [Double?] = [nil, 0.5, 1, 8]
    let policy = LoadPolicy(
        gracePeriod: policyByte & 1 == 1 ? .seconds(30) : nil,
        earlyRefresh: betas[Int(policyByte >> 1 & 3)].map { EarlyRefresh(beta: $0) }
    )
    let done = DispatchSemaphore(value: 0)
    Task {
        defer { done.signal() }
        do {
            try await cache.putBytes("entry", stored)
            let result = try await cache.readThrough(key: "entry", ttl: .seconds(60), policy: policy, coding: identity)
            {
                loaded
            }
            switch result.source {
            case .hit, .stale:
                expect(
                    stored.count >= result.value.count && stored.suffix(result.value.count).elementsEqual(result.value),
                    "served \(result.value.count) bytes that are not the end of the \(stored.count) stored")
            case .loaded, .shared:
                expect(result.value == loaded, "a load returned bytes that are not the loader's")
            }
        } catch {
            fatalError("reading stored bytes threw: \(error)")
        }
    }
    done.wait()
    return 0
}
