import CacheLayerTesting
import InMemoryTracing
import Testing

@testable import CacheLayer

/// Values come back exactly as they were stored, whatever bytes they begin with: the freshness header is never
/// guessed from a value's first bytes.
@Suite("Value framing")
struct ValueFramingTests {
    /// The bytes that used to mark a freshness header, then a plausible header, then the user's payload.
    static let lookalike: [UInt8] = [0xCA, 0x43, 0x4C, 0x01] + [UInt8](repeating: 0, count: 12) + Array("payload".utf8)
    static let bytes = CacheValueCoding<[UInt8]>(encode: { $0 }, decode: { $0 })
    static let grace = LoadPolicy(gracePeriod: .seconds(30))

    /// Values that start like a framed entry, in the old format and the new one, and the shortest edge cases.
    static let awkwardValues: [[UInt8]] = [
        lookalike,
        [0xCA],
        [0xCA, 0x00],
        [0xCA, 0x01] + [UInt8](repeating: 0xFF, count: 20),
        [0xCA, 0x02, 0x03],
        [0xCA, 0x03] + [UInt8](repeating: 0x00, count: 24),
        [],
        Array("plain".utf8),
    ]

    func makeCache(recordsItemAge: Bool = false) throws -> Cache {
        var configuration = Cache.Configuration()
        configuration.recordsItemAge = recordsItemAge
        return try Cache(
            namespace: "frames", backend: try MemoryBackend(byteBudget: 1 << 20), configuration: configuration)
    }

    @Test(arguments: awkwardValues, [false, true])
    func rawBytesComeBackUnchangedThroughGetBytes(value: [UInt8], recordsItemAge: Bool) async throws {
        let cache = try self.makeCache(recordsItemAge: recordsItemAge)
        try await cache.putBytes("k", value, ttl: .seconds(60))
        #expect(try await cache.getBytes("k") == value)
    }

    /// `getBytes` on a cache nothing observes takes a shorter path than on an observed one (no span, no metrics):
    /// over one backend, both answer the same for every kind of stored bytes, a value kept past its TTL for a
    /// grace period (a miss to a plain read) and a missing key.
    @Test func unobservedAndObservedReadsAnswerTheSame() async throws {
        let backend = try MemoryBackend(byteBudget: 1 << 20)
        let clock = ManualCacheClock()
        let unobserved = try Cache(namespace: "frames", backend: backend, configuration: .init(freshnessClock: clock))
        let observed = try Cache(
            namespace: "frames", backend: backend,
            configuration: .init(freshnessClock: clock, tracer: InMemoryTracer()))
        #expect(unobserved.core.observer.isUnobserved && !observed.core.observer.isUnobserved)
        for (index, value) in Self.awkwardValues.enumerated() {
            try await unobserved.putBytes("raw-\(index)", value, ttl: .seconds(60))
        }
        _ = try await unobserved.readThrough(key: "kept", ttl: .seconds(1), policy: Self.grace, coding: Self.bytes) {
            [7]
        }
        clock.advance(by: .seconds(2))
        let keys = Self.awkwardValues.indices.map { "raw-\($0)" } + ["kept", "missing"]
        for key in keys {
            let answers = (try await unobserved.getBytes(key), try await observed.getBytes(key))
            #expect(answers.0 == answers.1, "\(key)")
        }
        #expect(try await unobserved.getBytes("raw-0") == Self.lookalike)
        #expect(try await unobserved.getBytes("kept") == nil)
    }

    @Test(arguments: awkwardValues, [false, true])
    func rawBytesComeBackUnchangedThroughAReadThroughWithAGracePeriod(value: [UInt8], recordsItemAge: Bool) async throws
    {
        let cache = try self.makeCache(recordsItemAge: recordsItemAge)
        try await cache.putBytes("k", value, ttl: .seconds(60))
        let read = try await cache.readThrough(key: "k", ttl: .seconds(60), policy: Self.grace, coding: Self.bytes) {
            Issue.record("the stored value was treated as missing or stale")
            return [0]
        }
        #expect(read.value == value)
        #expect(read.source == .hit)
    }

    @Test func rawBytesComeBackUnchangedThroughGetOrLoadWithAGracePeriod() async throws {
        let cache = try Cache(
            namespace: "frames",
            backend: try MemoryBackend(byteBudget: 1 << 20),
            configuration: .init(codec: RawBytesCodec())
        )
        try await cache.putBytes("k", Self.lookalike, ttl: .seconds(60))
        let value = try await cache.getOrLoad(key: "k", ttl: .seconds(60), policy: Self.grace, as: RawBytes.self) {
            Issue.record("the stored value was treated as missing or stale")
            return RawBytes(bytes: [0])
        }
        #expect(value.bytes == Self.lookalike)
        #expect(try await cache.get("k", as: RawBytes.self)?.bytes == Self.lookalike)
    }

    @Test(arguments: awkwardValues, [false, true])
    func aLoadedValueComesBackUnchangedThroughEveryRead(value: [UInt8], recordsItemAge: Bool) async throws {
        let cache = try self.makeCache(recordsItemAge: recordsItemAge)
        let loaded = try await cache.readThrough(key: "k", ttl: .seconds(60), policy: Self.grace, coding: Self.bytes) {
            value
        }
        #expect(loaded.source == .loaded)
        let again = try await cache.readThrough(key: "k", ttl: .seconds(60), policy: Self.grace, coding: Self.bytes) {
            [0]
        }
        #expect(again.value == value)
        #expect(again.source == .hit)
        #expect(try await cache.getBytes("k") == value)
        let plain = try await cache.readThrough(key: "k", ttl: .seconds(60), coding: Self.bytes) { [0] }
        #expect(plain.value == value)
    }
}

/// The frame's own format: every kind round-trips, and bytes it does not describe are a miss, never a guess.
@Suite("Stored frame")
struct StoredFrameTests {
    static let freshness = FreshnessHeader(
        freshUntil: .milliseconds(1_790_000_000_123), loadDuration: .milliseconds(742))
    static let frames: [StoredFrame] = [
        StoredFrame(),
        StoredFrame(freshness: freshness),
        StoredFrame(writtenAt: .milliseconds(1_789_999_990_001)),
        StoredFrame(freshness: freshness, writtenAt: .milliseconds(1_789_999_990_001)),
        // Times before the epoch.
        StoredFrame(
            freshness: FreshnessHeader(freshUntil: .milliseconds(-5), loadDuration: .zero), writtenAt: .milliseconds(-7)
        ),
    ]

    @Test(arguments: frames, [[], [1, 2, 3], [0xCA], [0xCA, 0x03, 0xFF]] as [[UInt8]])
    func everyFrameRoundTripsWithAnyValue(frame: StoredFrame, value: [UInt8]) throws {
        let (decoded, payload) = try #require(StoredFrame.unframe(frame.framing(value)))
        #expect(decoded == frame)
        #expect(payload == value)
    }

    @Test func frameSizesAreAsDocumented() {
        let value: [UInt8] = [1, 2, 3]
        #expect(StoredFrame().framing(value) == value)
        #expect(StoredFrame(freshness: Self.freshness).framing(value).count == 14 + 3)
        #expect(StoredFrame(writtenAt: .seconds(1)).framing(value).count == 10 + 3)
        #expect(StoredFrame(freshness: Self.freshness, writtenAt: .seconds(1)).framing(value).count == 22 + 3)
    }

    @Test func unframedValuesHaveNoFrameAndAreNotCopied() throws {
        let json = Array("{\"id\":1}".utf8)
        let (frame, value) = try #require(StoredFrame.unframe(json))
        #expect(frame == StoredFrame())
        #expect(value == json)
    }

    @Test func framesThisVersionDoesNotReadAreAMiss() {
        // The first format's magic, each kind cut one byte short, an unknown kind.
        #expect(StoredFrame.unframe([0xCA, 0x43, 0x4C, 0x01] + [UInt8](repeating: 0, count: 12)) == nil)
        #expect(StoredFrame.unframe([0xCA]) == nil)
        for kind in [StoredFrame.Kind.fresh, .written, .freshWritten] {
            #expect(
                StoredFrame.unframe([0xCA, kind.rawValue] + [UInt8](repeating: 0, count: kind.byteCount - 3)) == nil)
            #expect(
                StoredFrame.unframe([0xCA, kind.rawValue] + [UInt8](repeating: 0, count: kind.byteCount - 2)) != nil)
        }
        #expect(StoredFrame.unframe([0xCA, 0x04] + [UInt8](repeating: 0, count: 30)) == nil)
    }

    @Test func aPlainReadDropsValuesPastTheirFreshnessAndKeepsTheWriteTime() throws {
        let framed = StoredFrame(freshness: Self.freshness, writtenAt: .milliseconds(1_789_999_990_001)).framing([9])
        let found = try #require(StoredFrame.freshValue(framed, now: .milliseconds(1_790_000_000_000)))
        #expect(found.value == [9])
        #expect(found.writtenAt == .milliseconds(1_789_999_990_001))
        #expect(StoredFrame.freshValue(framed, now: .milliseconds(1_790_000_000_123)) == nil)
    }
}

/// Bytes that a codec stores as they are: a binary format whose values may begin with any byte.
struct RawBytes: Codable, Equatable {
    var bytes: [UInt8]
}

/// Encodes ``RawBytes`` as its bytes, verbatim.
struct RawBytesCodec: CacheCodec {
    struct Unsupported: Error {}

    func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        guard let raw = value as? RawBytes else { throw Unsupported() }
        return raw.bytes
    }

    func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        guard let value = RawBytes(bytes: bytes) as? Value else { throw Unsupported() }
        return value
    }
}
