import CacheLayerTestSupport
import Testing

@testable import CacheLayer
import CacheLayerTesting

/// Tags on the memory backend: what `invalidate(tags:)` removes, what it leaves, and loads that race it.
@Suite("Tags and removals on the memory backend")
struct TagInvalidationTests {
    let backend = try! MemoryBackend(byteBudget: 8 << 20)

    func makeCache(_ namespace: String = "orders", backend: (any CacheBackend)? = nil) throws -> Cache {
        try Cache(namespace: namespace, backend: backend ?? self.backend)
    }

    @Test func invalidationRemovesEveryEntryWithOneOfTheTagsAndNothingElse() async throws {
        let cache = try self.makeCache()
        try await cache.put("a", value: "A", tags: ["order:1"])
        try await cache.put("b", value: "B", tags: ["order:1", "store:7"])
        try await cache.put("c", value: "C", tags: ["store:7"])
        try await cache.put("d", value: "D")

        try await cache.invalidate(tags: ["order:1"])

        #expect(try await cache.get("a", as: String.self) == nil)
        #expect(try await cache.get("b", as: String.self) == nil)
        #expect(try await cache.get("c", as: String.self) == "C")
        #expect(try await cache.get("d", as: String.self) == "D")
        // The tag is empty now: a new entry with it lives until the next invalidation.
        try await cache.put("a", value: "A2", tags: ["order:1"])
        #expect(try await cache.get("a", as: String.self) == "A2")
    }

    @Test func tagsBelongToTheirCachesNamespace() async throws {
        let orders = try self.makeCache("orders")
        let shop = try self.makeCache("shop")
        try await orders.put("k", value: 1, tags: ["t"])
        try await shop.put("k", value: 2, tags: ["t"])

        try await orders.invalidate(tags: ["t"])

        #expect(try await orders.get("k", as: Int.self) == nil)
        #expect(try await shop.get("k", as: Int.self) == 2)
    }

    @Test func tagsAreByteExact() async throws {
        let cache = try self.makeCache()
        try await cache.put("k", value: 1, tags: ["café"])
        try await cache.invalidate(tags: ["cafe\u{301}"])
        #expect(try await cache.get("k", as: Int.self) == 1)
        try await cache.invalidate(tags: ["café"])
        #expect(try await cache.get("k", as: Int.self) == nil)
    }

    @Test func readThroughsStoreTheirTags() async throws {
        let cache = try self.makeCache()
        let runs = LoadCounter()
        let load: @Sendable () async throws -> String = {
            runs.increment()
            return "page"
        }
        _ = try await cache.getOrLoad(key: "page:1", ttl: .seconds(60), tags: ["orders"], loader: load)
        _ = try await cache.getOrLoad(key: "page:1", ttl: .seconds(60), tags: ["orders"], loader: load)
        #expect(runs.count == 1)

        try await cache.invalidate(tags: ["orders"])

        _ = try await cache.getOrLoad(key: "page:1", ttl: .seconds(60), tags: ["orders"], loader: load)
        #expect(runs.count == 2)
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        _ = try await cache.readThrough(key: "raw", ttl: .seconds(60), tags: ["orders"], coding: coding) { [1] }
        try await cache.invalidate(tags: ["orders"])
        #expect(try await cache.getBytes("raw") == nil)
        #expect(try await cache.getBytes("page:1") == nil)
    }

    @Test func badTagsAreTypedErrors() async throws {
        let cache = try self.makeCache()
        await #expect(throws: CacheError.self) { try await cache.put("k", value: 1, tags: [""]) }
        let long = String(repeating: "x", count: CacheTag.maximumLength + 1)
        do {
            try await cache.invalidate(tags: [long])
            Issue.record("no error")
        } catch {
            #expect(error.code == .invalidTag)
            #expect(!error.message.contains(long))
        }
    }

    @Test func aBackendWithoutTagsRefusesTaggedWritesButStoresUntaggedOnes() async throws {
        let cache = try self.makeCache(backend: UntaggedBackend(memory: self.backend))
        do {
            try await cache.put("k", value: 1, tags: ["t"])
            Issue.record("no error")
        } catch {
            #expect(error.code == .unsupportedOperation)
        }
        try await cache.put("k", value: 1)
        #expect(try await cache.getOrLoad(key: "l", ttl: .seconds(5)) { 2 } == 2)
        #expect(try await cache.get("l", as: Int.self) == 2)
    }

    // MARK: Removal wins over a racing load

    /// Runs a `getOrLoad` of `key` whose loader waits, does `removal` while it waits, then lets it finish.
    /// Returns what the load returned.
    func loadRacing(
        _ cache: Cache, key: String, tags: [String] = ["orders"], _ removal: () async throws -> Void
    ) async throws -> String {
        let started = Gate()
        let release = Gate()
        let load = Task {
            try await cache.getOrLoad(key: key, ttl: .seconds(60), tags: tags) { () async throws -> String in
                started.open()
                await release.wait()
                return "loaded before the write"
            }
        }
        await started.wait()
        try await removal()
        release.open()
        return try await load.value
    }

    @Test func aRemovalDuringALoadKeepsItsValueOut() async throws {
        let cache = try self.makeCache()
        let value = try await self.loadRacing(cache, key: "k") { try await cache.remove("k") }
        #expect(value == "loaded before the write")
        #expect(try await cache.get("k", as: String.self) == nil)
    }

    @Test func anInvalidationDuringALoadKeepsItsValueOut() async throws {
        let cache = try self.makeCache()
        _ = try await self.loadRacing(cache, key: "k") { try await cache.invalidate(tags: ["orders"]) }
        #expect(try await cache.get("k", as: String.self) == nil)
    }

    @Test func aFlushDuringALoadKeepsItsValueOut() async throws {
        let cache = try self.makeCache()
        _ = try await self.loadRacing(cache, key: "k", tags: []) { try await cache.removeAll() }
        #expect(try await cache.get("k", as: String.self) == nil)
    }

    @Test func anInvalidationOfAnotherTagLetsTheLoadStore() async throws {
        let cache = try self.makeCache()
        _ = try await self.loadRacing(cache, key: "k") { try await cache.invalidate(tags: ["stores"]) }
        #expect(try await cache.get("k", as: String.self) == "loaded before the write")
    }

    @Test(arguments: [[], ["orders"]])
    func aWriteDuringALoadWins(writeTags: [String]) async throws {
        let cache = try self.makeCache()
        let value = try await self.loadRacing(cache, key: "k") {
            try await cache.put("k", value: "written during the load", tags: writeTags)
        }
        #expect(value == "loaded before the write")
        #expect(try await cache.get("k", as: String.self) == "written during the load")
    }

    @Test func anInsertDuringALoadWins() async throws {
        let cache = try self.makeCache()
        _ = try await self.loadRacing(cache, key: "k") {
            _ = try await cache.putIfAbsent("k", value: "inserted during the load")
        }
        #expect(try await cache.get("k", as: String.self) == "inserted during the load")
    }

    @Test func everyMemberOfALargeTagIsInvalidated() async throws {
        let cache = try self.makeCache()
        // Past 64 members a tag is pruned of keys that left the store: the key being added, and keys whose load is
        // pending, have no value yet and must stay members.
        for index in 0..<200 {
            try await cache.put("k\(index)", value: index, tags: ["all"])
        }
        let raced = try await self.loadRacing(cache, key: "loading", tags: ["all"]) {
            for index in 200..<300 {
                try await cache.put("k\(index)", value: index, tags: ["all"])
            }
        }
        #expect(raced == "loaded before the write")
        try await cache.invalidate(tags: ["all"])
        for index in 0..<300 {
            #expect(try await cache.get("k\(index)", as: Int.self) == nil, "k\(index) survived the invalidation")
        }
        #expect(try await cache.get("loading", as: String.self) == nil)
    }

    /// A caller that starts after a removal returned must not get what a load read before the removal: it loads
    /// for itself, without waiting for that load.
    @Test(arguments: ["remove", "invalidate", "removeAll"])
    func aCallerThatStartsAfterARemovalLoadsAgain(removal: String) async throws {
        let cache = try self.makeCache(removal)
        let started = Gate()
        let release = Gate()
        let leader = Task {
            try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { () async throws -> String in
                started.open()
                await release.wait()
                return "read before the removal"
            }
        }
        await started.wait()
        switch removal {
        case "remove": try await cache.remove("k")
        case "invalidate": try await cache.invalidate(tags: ["orders"])
        default: try await cache.removeAll()
        }
        let done = Gate()
        let joiner = Task {
            defer { done.open() }
            return try await cache.getOrLoad(key: "k", ttl: .seconds(60), tags: ["orders"]) { "read after the removal" }
        }
        #expect(await waitUntil { done.isOpen }, "the caller waited for the load that began before the removal")
        release.open()
        #expect(try await leader.value == "read before the removal")
        #expect(try await joiner.value == "read after the removal")
        #expect(try await cache.get("k", as: String.self) == "read after the removal")
    }

    @Test func aRemovalDuringARefreshKeepsTheRefreshedValueOut() async throws {
        let clock = ManualCacheClock()
        let graceCache = try Cache(
            namespace: "graced", backend: self.backend,
            configuration: .init(loadPolicy: LoadPolicy(gracePeriod: .seconds(60)), freshnessClock: clock))
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        _ = try await graceCache.readThrough(key: "k", ttl: .seconds(10), coding: coding) { [1] }
        clock.advance(by: .seconds(11))
        let started = Gate()
        let release = Gate()
        let refresh = Task {
            try await graceCache.readThrough(key: "k", ttl: .seconds(10), coding: coding) {
                () async throws -> [UInt8] in
                started.open()
                await release.wait()
                return [2]
            }
        }
        await started.wait()
        try await graceCache.remove("k")
        release.open()
        #expect(try await refresh.value.value == [2])
        #expect(try await graceCache.getBytes("k") == nil)
    }
}

/// A backend that forwards the basic operations to memory and has no tags: the protocol's defaults apply.
final class UntaggedBackend: CacheBackend {
    let memory: MemoryBackend
    let telemetry = CacheBackendTelemetry(spanKind: .internal)
    init(memory: MemoryBackend) { self.memory = memory }
    func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? { try await self.memory.get(key) }
    func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] { try await self.memory.get(keys) }
    func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) {
        try await self.memory.set(key, to: value, ttl: ttl)
    }
    func setIfAbsent(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError) -> Bool {
        try await self.memory.setIfAbsent(key, to: value, ttl: ttl)
    }
    func delete(_ key: CacheKey) async throws(CacheError) -> Bool { try await self.memory.delete(key) }
    func delete(_ key: CacheKey, ifValueEquals expected: [UInt8]) async throws(CacheError) -> Bool {
        try await self.memory.delete(key, ifValueEquals: expected)
    }
    func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        try await self.memory.deleteAll(in: namespace)
    }
}
