import CacheLayerAdvisor

/// Belady's optimum: the most hits any cache holding `capacity` objects can get on a trace, found by evicting (or
/// not admitting) the object whose next use is furthest in the future. It needs the future, so no real cache
/// reaches it; it is the bound the other lines are measured against.
///
/// Objects are counted, not bytes: with values of different sizes the bound is for a cache of that many objects,
/// and the hit-rate tool places it on the memory axis at the budget's worth of objects of the trace's mean entry
/// cost. Time-to-live is ignored (expiry can only take hits away, so the bound still holds). Bypassed requests are
/// misses. O(n log n) time, O(n) memory.
public enum BeladyOptimum {
    /// The optimum's counts for `trace` with room for `capacity` objects.
    public static func run(_ trace: RequestTrace, capacity: Int) -> ReplayCounts {
        let requests = trace.requests
        let nextUse = Self.nextUses(requests, keyCount: trace.keys.count)
        // The position of each cached key's next use; -1 when the key is not cached.
        var cachedUntil = [Int](repeating: -1, count: trace.keys.count)
        var cachedCount = 0
        var heap = MaxHeap()  // (next use, key), with stale entries skipped when they surface
        var hits = 0
        var evictions = 0
        for (position, request) in requests.enumerated() where request.isCacheable && capacity > 0 {
            let key = Int(request.key)
            let next = nextUse[position]
            if cachedUntil[key] >= 0 {
                hits += 1
                cachedUntil[key] = next
                heap.push(next: next, key: key)
                continue
            }
            if cachedCount < capacity {
                cachedUntil[key] = next
                cachedCount += 1
                heap.push(next: next, key: key)
                continue
            }
            // Full: the furthest next use among the cached keys goes, unless this key's own is further.
            while let top = heap.peek(), cachedUntil[top.key] != top.next {
                heap.pop()
            }
            guard let furthest = heap.peek(), furthest.next > next else { continue }
            heap.pop()
            cachedUntil[furthest.key] = -1
            evictions += 1
            cachedUntil[key] = next
            heap.push(next: next, key: key)
        }
        return ReplayCounts(requests: requests.count, hits: hits, bytesUsed: nil, evictions: evictions)
    }

    /// For each position, the position of the same key's next request, or `Int.max` when there is none.
    static func nextUses(_ requests: [RequestTrace.Request], keyCount: Int) -> [Int] {
        var nextUse = [Int](repeating: Int.max, count: requests.count)
        var seenAt = [Int](repeating: Int.max, count: keyCount)
        for position in stride(from: requests.count - 1, through: 0, by: -1) where requests[position].isCacheable {
            let key = Int(requests[position].key)
            nextUse[position] = seenAt[key]
            seenAt[key] = position
        }
        return nextUse
    }
}
