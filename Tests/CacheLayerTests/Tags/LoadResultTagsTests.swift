import CacheLayer
import Testing

/// Tags a loader names with its value (``LoadResult/tags``, an HTTP response's `Cache-Tag`): stored with the value
/// besides the call's own, on every read-through entry point.
@Suite struct LoadResultTagsTests {
    @Test func aLoadersOwnTagsAreStoredWithTheValue() async throws {
        let cache = try Cache(namespace: "loads", backend: MemoryBackend(byteBudget: 1 << 20))
        let value = try await cache.getOrLoad(key: "page", ttl: .seconds(60), tags: ["declared"]) {
            LoadResult("v1", tags: ["named", "declared"])
        }
        #expect(value == "v1")
        #expect(try await cache.get("page", as: String.self) == "v1")
        try await cache.invalidate(tags: ["named"])
        #expect(try await cache.get("page", as: String.self) == nil)

        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        let read = try await cache.readThrough(key: "bytes", ttl: .seconds(60), coding: coding) {
            LoadResult([1, 2, 3], tags: ["from-the-value"])
        }
        #expect(read.source == .loaded)
        #expect(try await cache.readThrough(key: "bytes", ttl: .seconds(60), coding: coding) { [9] }.source == .hit)
        try await cache.invalidate(tags: ["from-the-value"])
        #expect(try await cache.readThrough(key: "bytes", ttl: .seconds(60), coding: coding) { [9] }.value == [9])
    }

    @Test func aTooLongTagFromTheLoaderIsATypedError() async throws {
        let cache = try Cache(namespace: "loads", backend: MemoryBackend(byteBudget: 1 << 20))
        let error = await #expect(throws: CacheError.self) {
            _ = try await cache.getOrLoad(key: "page", ttl: .seconds(60)) {
                LoadResult("v", tags: [String(repeating: "t", count: CacheTag.maximumLength + 1)])
            }
        }
        #expect(error?.code == .invalidTag)
    }
}
