import InMemoryLogging
import InMemoryTracing
import Logging
import Testing
import Tracing

@testable import CacheLayer
import CacheLayerTesting

/// With `keyCapture: .off` no key text reaches telemetry: not in span attributes, span status messages, recorded
/// errors, log messages or log metadata, whatever failed (the memory store, a decode, a backend whose error
/// messages name the key, a loader). With a transform, keys appear only transformed.
@Suite("Key capture in errors")
struct KeyCaptureInErrorsTests {
    static let key = "user:alice@example.com"
    static let secret = "alice"
    let tracer = InMemoryTracer()
    let logs = InMemoryLogHandler()

    func makeCache(
        _ backend: any CacheBackend,
        keyCapture: KeyCapture = .off,
        policy: LoadPolicy = LoadPolicy(),
        freshnessClock: any CacheClock = EpochCacheClock()
    ) throws -> Cache {
        let handler = self.logs
        var logger = Logger(label: "test", factory: { _ in handler })
        logger.logLevel = .debug
        return try Cache(
            namespace: "users",
            backend: backend,
            configuration: .init(
                keyCapture: keyCapture, loadPolicy: policy, freshnessClock: freshnessClock, tracer: self.tracer,
                logger: logger)
        )
    }

    /// Everything the tracer and the log handler were given, as text.
    func telemetry() -> String {
        var text = ""
        for span in self.tracer.finishedSpans {
            text +=
                "\(span.operationName) \(span.attributes) \(String(describing: span.status)) \(span.status?.message ?? "")\n"
            for recorded in span.errors {
                text += "\(recorded.error) \(String(reflecting: recorded.error)) \(recorded.attributes)\n"
            }
        }
        for entry in self.logs.entries {
            text += "\(entry.level) \(entry.message) \(entry.metadata)\n"
        }
        return text
    }

    /// A backend that fails the way a remote one may: its error message names the key it was working on.
    func talkativeBackend() throws -> ControllableBackend {
        try ControllableBackend.down(
            CacheError(
                .backendError, "ERR while running GET users:\(Self.key) (key \(Self.key))", responseStatusCode: "ERR"))
    }

    @Test func aValueTooLargeForTheMemoryStore() async throws {
        let cache = try self.makeCache(try MemoryBackend(byteBudget: 64))
        let error = await #expect(throws: CacheError.self) {
            try await cache.putBytes(Self.key, [UInt8](repeating: 1, count: 100))
        }
        #expect(error?.code == .valueTooLarge)
        #expect(error.map { "\($0)" }?.contains(Self.secret) == false)
        #expect(!self.tracer.finishedSpans.isEmpty)
        #expect(self.tracer.finishedSpans.first?.status?.code == .error)
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }

    @Test func aValueThatDoesNotDecode() async throws {
        let cache = try self.makeCache(try MemoryBackend(byteBudget: 1 << 20))
        try await cache.putBytes(Self.key, Array("not json".utf8))
        #expect(try await cache.get(Self.key, as: Int.self) == nil)
        #expect(self.logs.entries.contains { $0.level == .warning })
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }

    @Test func backendFailuresWhoseMessagesNameTheKey() async throws {
        let cache = try self.makeCache(try self.talkativeBackend())
        _ = try await cache.getBytes(Self.key)
        _ = try await cache.getBytes([Self.key, "user:bob"])
        try await cache.putBytes(Self.key, [1], ttl: .seconds(1))
        _ = try await cache.getOrLoad(key: Self.key, ttl: .seconds(1)) { 1 }
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        _ = try await cache.readThrough(key: Self.key, ttl: .seconds(1), coding: coding) { [1] }
        // Last: a failed removal is kept for replay, and the cache then leaves the backend alone until it replays.
        _ = try await cache.remove(Self.key)
        #expect(self.tracer.finishedSpans.filter { $0.status?.code == .error }.count >= 6)
        #expect(self.logs.entries.filter { $0.level == .warning }.count >= 6)
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }

    @Test func aFailingBackendWithFailOpenOffStillRecordsNoKey() async throws {
        let handler = self.logs
        var logger = Logger(label: "test", factory: { _ in handler })
        logger.logLevel = .debug
        let cache = try Cache(
            namespace: "users",
            backend: try self.talkativeBackend(),
            configuration: .init(failOpen: false, keyCapture: .off, tracer: self.tracer, logger: logger)
        )
        await #expect(throws: CacheError.self) { try await cache.putBytes(Self.key, [1]) }
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }

    @Test func aRefreshWhoseLoaderErrorNamesTheKey() async throws {
        struct NoSuchUser: Error, CustomStringConvertible {
            var description: String { "no row for \(KeyCaptureInErrorsTests.key)" }
        }
        let clock = ManualCacheClock(start: .seconds(1_000))
        let backend = try MemoryBackend(configuration: .init(byteBudget: 1 << 20, clock: clock))
        let cache = try self.makeCache(backend, policy: LoadPolicy(gracePeriod: .seconds(60)), freshnessClock: clock)
        let coding = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
        _ = try await cache.readThrough(key: Self.key, ttl: .seconds(10), coding: coding) { [1] }
        clock.advance(by: .seconds(11))
        let stale = try await cache.readThrough(key: Self.key, ttl: .seconds(10), coding: coding) {
            () throws -> [UInt8] in
            throw NoSuchUser()
        }
        #expect(stale.source == .stale)
        #expect(self.logs.entries.contains { $0.level == .warning })
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }

    @Test func aLockTimeoutNamesNoKey() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let cache = try self.makeCache(backend)
        let namespace = try CacheNamespace("users")
        let lock = DistributedLock(guarding: CacheKey(namespace: namespace, key: Self.key), on: backend)
        #expect(try await lock.tryAcquire(lease: .seconds(60)) != nil)
        let policy = LoadPolicy(
            lock: .init(maximumWait: .milliseconds(20), retryInterval: .milliseconds(5), onTimeout: .fail))
        let error = await #expect(throws: CacheError.self) {
            try await cache.getOrLoad(key: Self.key, ttl: .seconds(1), policy: policy) { 1 }
        }
        #expect(error?.code == .lockTimeout)
        #expect(error?.message.contains(Self.secret) == false)
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }

    @Test func aTransformCaptureShowsTheKeyOnlyTransformed() async throws {
        let cache = try self.makeCache(try self.talkativeBackend(), keyCapture: .redacted { _ in "users:<id>" })
        _ = try await cache.getBytes(Self.key)
        let span = try #require(self.tracer.finishedSpans.first)
        #expect(span.attributes.get("cache.key") == .stringArray(["users:<id>"]))
        #expect(span.status?.message?.contains("users:<id>") == true)
        #expect(!self.telemetry().contains(Self.secret), "\(self.telemetry())")
    }
}
