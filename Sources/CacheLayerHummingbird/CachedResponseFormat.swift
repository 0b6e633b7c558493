import CacheLayer
import HTTPTypes
import Hummingbird
import NIOCore

/// The bytes of a ``CachedResponse``: a version byte, the status code and reason phrase, when it was stored (milliseconds), the
/// headers and the body, every variable part length-prefixed (little-endian), so that reading never guesses.
///
/// Bytes that are not a whole, well-formed response of this version do not decode; the cache counts that as a
/// miss, and the handler runs.
enum CachedResponseFormat {
    static let version: UInt8 = 1

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ response: CachedResponse) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + response.body.readableBytes + response.headers.count * 48)
        bytes.append(Self.version)
        Self.append(UInt16(response.status.code), to: &bytes)
        Self.append(string: response.status.reasonPhrase, to: &bytes)
        Self.append(UInt64(bitPattern: Self.milliseconds(response.storedAt)), to: &bytes)
        Self.append(UInt32(response.headers.count), to: &bytes)
        for field in response.headers {
            Self.append(string: field.name.rawName, to: &bytes)
            Self.append(string: field.value, to: &bytes)
        }
        Self.append(UInt32(response.body.readableBytes), to: &bytes)
        response.body.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> CachedResponse {
        var reader = Reader(bytes: bytes)
        let version = try reader.byte()
        guard version == Self.version else { throw Malformed(description: "format version \(version), expected \(Self.version)") }
        let code = Int(try reader.integer(UInt16.self))
        guard (100...999).contains(code) else { throw Malformed(description: "status code \(code)") }
        let reason = try reader.string()
        let storedAt = Duration.milliseconds(Int64(bitPattern: try reader.integer(UInt64.self)))
        let count = Int(try reader.integer(UInt32.self))
        var headers = HTTPFields()
        for _ in 0..<count {
            let rawName = try reader.string()
            guard let name = HTTPField.Name(rawName) else { throw Malformed(description: "header name '\(rawName)'") }
            headers.append(HTTPField(name: name, value: try reader.string()))
        }
        let body = ByteBuffer(bytes: try reader.slice(Int(try reader.integer(UInt32.self))))
        guard reader.isAtEnd else { throw Malformed(description: "\(bytes.count - reader.offset) bytes after the body") }
        return CachedResponse(
            status: HTTPResponse.Status(code: code, reasonPhrase: reason),
            headers: headers,
            body: body,
            storedAt: storedAt
        )
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000).partialValue &+ attoseconds / 1_000_000_000_000_000
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(string: String, to bytes: inout [UInt8]) {
        Self.append(UInt32(string.utf8.count), to: &bytes)
        bytes.append(contentsOf: string.utf8)
    }

    /// Reads length-checked parts from the front of the bytes.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { self.offset == self.bytes.count }

        mutating func slice(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, count <= self.bytes.count - self.offset else {
                throw Malformed(description: "truncated: \(count) bytes wanted at offset \(self.offset) of \(self.bytes.count)")
            }
            defer { self.offset += count }
            return self.bytes[self.offset..<(self.offset + count)]
        }

        mutating func byte() throws -> UInt8 {
            try self.slice(1).first!
        }

        mutating func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
            var value = Integer.zero
            for (index, byte) in try self.slice(MemoryLayout<Integer>.size).enumerated() {
                value |= Integer(byte) << (8 * index)
            }
            return value
        }

        mutating func string() throws -> String {
            let count = Int(try self.integer(UInt32.self))
            return String(decoding: try self.slice(count), as: UTF8.self)
        }
    }
}
