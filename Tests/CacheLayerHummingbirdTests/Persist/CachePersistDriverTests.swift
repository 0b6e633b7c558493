import CacheLayer
import CacheLayerHummingbird
import CacheLayerRedis
import CacheLayerTesting
import Hummingbird
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cases hummingbird's own persist drivers pass (its `PersistTests`), over a memory-tier cache with a manual
/// clock in place of the sleeps.
@Suite("CachePersistDriver")
struct CachePersistDriverTests {
    struct TestCodable: Codable, Equatable {
        let buffer: String
    }

    let clock = ManualCacheClock(start: .seconds(1_000))

    func makeDriver() throws -> CachePersistDriver {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock))
        return try CachePersistDriver(
            cache: try Cache(
                namespace: "persist", backend: backend,
                configuration: .init(failOpen: false, freshnessClock: self.clock)))
    }

    @Test func aCacheThatFailsOpenIsRefused() throws {
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: self.clock))
        let cache = try Cache(namespace: "persist", backend: backend)  // failOpen by default
        let error = #expect(throws: CacheError.self) { try CachePersistDriver(cache: cache) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func setGet() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "Persist")
        #expect(try await persist.get(key: "tag", as: String.self) == "Persist")
    }

    @Test func createGet() async throws {
        let persist = try self.makeDriver()
        try await persist.create(key: "tag", value: "Persist")
        #expect(try await persist.get(key: "tag", as: String.self) == "Persist")
    }

    @Test func doubleCreateFails() async throws {
        let persist = try self.makeDriver()
        try await persist.create(key: "tag", value: "Persist")
        await #expect(throws: PersistError.duplicate) { try await persist.create(key: "tag", value: "Other") }
        #expect(try await persist.get(key: "tag", as: String.self) == "Persist")
    }

    @Test func createOverAnExpiredValueSucceeds() async throws {
        let persist = try self.makeDriver()
        try await persist.create(key: "tag", value: "first", expires: .seconds(1))
        self.clock.advance(by: .seconds(2))
        try await persist.create(key: "tag", value: "second")
        #expect(try await persist.get(key: "tag", as: String.self) == "second")
    }

    @Test func setTwiceOverwrites() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "test1")
        try await persist.set(key: "tag", value: "test2")
        #expect(try await persist.get(key: "tag", as: String.self) == "test2")
    }

    @Test func expires() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag1", value: "ThisIsTest1", expires: .seconds(0))
        try await persist.set(key: "tag2", value: "ThisIsTest2", expires: .seconds(10))
        self.clock.advance(by: .seconds(1))
        #expect(try await persist.get(key: "tag1", as: String.self) == nil)
        #expect(try await persist.get(key: "tag2", as: String.self) == "ThisIsTest2")
        self.clock.advance(by: .seconds(10))
        #expect(try await persist.get(key: "tag2", as: String.self) == nil)
    }

    @Test func expireAndAdd() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "ThisIsTest1", expires: .seconds(0))
        self.clock.advance(by: .seconds(1))
        #expect(try await persist.get(key: "tag", as: String.self) == nil)
        try await persist.set(key: "tag", value: "ThisIsTest1", expires: .seconds(10))
        #expect(try await persist.get(key: "tag", as: String.self) == "ThisIsTest1")
    }

    @Test func createWithAnExpiryOfZeroStoresNothingButRefusesADuplicate() async throws {
        let persist = try self.makeDriver()
        try await persist.create(key: "tag", value: "gone", expires: .zero)
        #expect(try await persist.get(key: "tag", as: String.self) == nil)
        try await persist.create(key: "tag", value: "kept")
        await #expect(throws: PersistError.duplicate) {
            try await persist.create(key: "tag", value: "other", expires: .zero)
        }
    }

    /// Hummingbird's `testTTL`, on the manual clock: the time left, to the millisecond.
    @Test func getWithTTLReturnsTheTimeLeft() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "ThisIsTest2", expires: .seconds(10))
        #expect(try await persist.getWithTTL(key: "tag", as: String.self)?.ttl == .seconds(10))
        self.clock.advance(by: .milliseconds(3_500))
        let entry = try await persist.getWithTTL(key: "tag", as: String.self)
        #expect(entry?.object == "ThisIsTest2")
        #expect(entry?.ttl == .milliseconds(6_500))
        self.clock.advance(by: .milliseconds(6_500))
        #expect(try await persist.getWithTTL(key: "tag", as: String.self) == nil)
    }

    @Test func getWithTTLOfAValueWithoutExpiryHasNoTTL() async throws {
        let persist = try self.makeDriver()
        try await persist.create(key: "tag", value: "forever")
        let entry = try await persist.getWithTTL(key: "tag", as: String.self)
        #expect(entry?.object == "forever")
        #expect(entry != nil && entry?.ttl == nil)
        #expect(try await persist.getWithTTL(key: "missing", as: String.self) == nil)
    }

    @Test func createWithAnExpiryHasItsTTL() async throws {
        let persist = try self.makeDriver()
        try await persist.create(key: "tag", value: "Persist", expires: .seconds(30))
        self.clock.advance(by: .seconds(5))
        #expect(try await persist.getWithTTL(key: "tag", as: String.self)?.ttl == .seconds(25))
    }

    /// The protocol: "If nil and value already exists and it already has an expiration time then original
    /// expiration time should be conserved" (hummingbird's memory driver does so).
    @Test func setWithoutAnExpiryKeepsTheExpiryOfTheValueItReplaces() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "first", expires: .seconds(10))
        self.clock.advance(by: .seconds(4))
        try await persist.set(key: "tag", value: TestCodable(buffer: "second"))
        let entry = try await persist.getWithTTL(key: "tag", as: TestCodable.self)
        #expect(entry?.object == TestCodable(buffer: "second"))
        #expect(entry?.ttl == .seconds(6))
        self.clock.advance(by: .seconds(6))
        #expect(try await persist.get(key: "tag", as: TestCodable.self) == nil)
    }

    @Test func setWithoutAnExpiryOverAValueWithoutOneNeverExpires() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "first")
        try await persist.set(key: "tag", value: "second")
        self.clock.advance(by: .seconds(86_400 * 365))
        let entry = try await persist.getWithTTL(key: "tag", as: String.self)
        #expect(entry?.object == "second")
        #expect(entry != nil && entry?.ttl == nil)
    }

    @Test func setWithAnExpiryReplacesTheExpiry() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "first", expires: .seconds(10))
        try await persist.set(key: "tag", value: "second", expires: .seconds(100))
        self.clock.advance(by: .seconds(50))
        #expect(try await persist.getWithTTL(key: "tag", as: String.self)?.ttl == .seconds(50))
    }

    @Test func codable() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: TestCodable(buffer: "Persist"))
        #expect(try await persist.get(key: "tag", as: TestCodable.self) == TestCodable(buffer: "Persist"))
    }

    /// Hummingbird's memory driver throws `PersistError.invalidConversion` here; the protocol documents `nil`, which
    /// is what the cache's typed read returns (counted in `cache.decode_failures`).
    @Test func getAsAnotherTypeIsNil() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "test", value: TestCodable(buffer: "hello"))
        #expect(try await persist.get(key: "test", as: String.self) == nil)
    }

    @Test func remove() async throws {
        let persist = try self.makeDriver()
        try await persist.set(key: "tag", value: "ThisIsTest1")
        try await persist.remove(key: "tag")
        #expect(try await persist.get(key: "tag", as: String.self) == nil)
    }

    @Test func getOfAMissingKeyIsNil() async throws {
        let persist = try self.makeDriver()
        #expect(try await persist.get(key: "missing", as: String.self) == nil)
        try await persist.remove(key: "missing")
    }
}

/// The driver over a real redis-server (`scripts/test.sh` starts one and exports its address): create refuses a
/// duplicate through `SET NX`, and a TTL expires the value on the server.
@Suite(
    "CachePersistDriver over Redis",
    .enabled(if: PersistRedisServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct CachePersistDriverRedisTests {
    /// Polls (every 20 ms, for at most 10 s: a bounded wait, not a timed assert) until `key` is gone.
    func goneFromTheServer(_ key: String, _ persist: CachePersistDriver) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await persist.get(key: key, as: String.self) == nil { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func createSetGetRemoveAndExpiry() async throws {
        let url = try #require(
            PersistRedisServer.url, "CACHELAYER_REDIS_URL is not set: run the tests with scripts/test.sh")
        var configuration = try RedisBackend.Configuration(url: url)
        configuration.keyPrefix = "persist-driver-test:"
        // The driver's own sense of time is a manual clock: the time a value has left is what the test says, and
        // only the server's TTL can make a value go away while the clock stands still.
        let clock = ManualCacheClock(start: .seconds(1_700_000_000))
        let cache = try Cache(
            namespace: "persist", backend: try RedisBackend(configuration: configuration),
            configuration: .init(failOpen: false, freshnessClock: clock))
        try await cache.removeAll()
        let persist = try CachePersistDriver(cache: cache)

        try await persist.create(key: "session", value: ["user": 7])
        await #expect(throws: PersistError.duplicate) { try await persist.create(key: "session", value: ["user": 8]) }
        #expect(try await persist.get(key: "session", as: [String: Int].self) == ["user": 7])

        try await persist.set(key: "session", value: ["user": 9])
        #expect(try await persist.get(key: "session", as: [String: Int].self) == ["user": 9])

        try await persist.remove(key: "session")
        #expect(try await persist.get(key: "session", as: [String: Int].self) == nil)
        try await persist.create(key: "session", value: ["user": 10])

        // Redis expires the key itself; poll (a bounded wait, not a timed assert) until it is gone.
        try await persist.set(key: "short", value: "x", expires: .milliseconds(50))
        #expect(try await self.goneFromTheServer("short", persist))
        try await persist.create(key: "short", value: "y")

        // The time left (hummingbird's testTTL), and a set without an expiry keeps it on the server too.
        try await persist.set(key: "ttl", value: "x", expires: .seconds(10))
        clock.advance(by: .seconds(4))
        try await persist.set(key: "ttl", value: "y")
        let entry = try await persist.getWithTTL(key: "ttl", as: String.self)
        #expect(entry?.object == "y")
        #expect(entry?.ttl == .seconds(6))
        // The first value lives a minute on the server, so the second set finds it however loaded the machine;
        // by the driver's clock only 100 ms of it are left when the second set replaces it, which the server is
        // then to keep: the value goes away on the server's own TTL while the driver's clock stands still.
        try await persist.set(key: "kept", value: "x", expires: .seconds(60))
        clock.advance(by: .milliseconds(59_900))
        try await persist.set(key: "kept", value: "y")
        #expect(try await persist.getWithTTL(key: "kept", as: String.self)?.ttl == .milliseconds(100))
        #expect(try await self.goneFromTheServer("kept", persist))
        try await cache.removeAll()
    }
}

/// The redis-server `scripts/test.sh` started: enabled when its address is set, and always under CI (`CI=true`),
/// where a missing server fails the test.
enum PersistRedisServer {
    static var url: String? { getenv("CACHELAYER_REDIS_URL").map { String(cString: $0) } }
    static var shouldRun: Bool {
        url != nil || (getenv("CI").map { String(cString: $0).lowercased() == "true" } ?? false)
    }
}
