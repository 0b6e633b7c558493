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
        [],
        Array("plain".utf8),
    ]

    func makeCache() throws -> Cache {
        try Cache(namespace: "frames", backend: try MemoryBackend(byteBudget: 1 << 20))
    }

    @Test(arguments: awkwardValues)
    func rawBytesComeBackUnchangedThroughGetBytes(value: [UInt8]) async throws {
        let cache = try self.makeCache()
        try await cache.putBytes("k", value, ttl: .seconds(60))
        #expect(try await cache.getBytes("k") == value)
    }

    @Test(arguments: awkwardValues)
    func rawBytesComeBackUnchangedThroughAReadThroughWithAGracePeriod(value: [UInt8]) async throws {
        let cache = try self.makeCache()
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

    @Test(arguments: awkwardValues)
    func aLoadedValueComesBackUnchangedThroughEveryRead(value: [UInt8]) async throws {
        let cache = try self.makeCache()
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
