import HTTPTypes
import NIOCore

/// The bytes of a ``CachedResponse``: a version byte, the status code and reason phrase, when it was stored (milliseconds), the
/// headers and the body, every variable part length-prefixed (little-endian), so that reading never guesses.
///
/// ```
/// 0x01 | code: UInt16 | reason: UInt32 length, UTF-8 | stored at: Int64 ms | header count: UInt32
///      | per header: name (UInt32 length, token), value (UInt32 length, raw field bytes) | body: UInt32 length, bytes
/// ```
///
/// Decoding is exact: bytes that are not a whole, well-formed response of this version (a status code outside
/// 100...999, a reason phrase or header that HTTP would have to clean up, a `Content-Length` that is not the
/// body's length, bytes left over) throw ``Malformed``; the cache counts that as a miss, and the handler runs.
/// Whatever decodes re-encodes to the same bytes, so one response has one encoding.
package enum CachedResponseFormat {
    package static let version: UInt8 = 1
    /// The largest body, reason phrase or header part the format can hold (a 32-bit length).
    package static let largestPart = Int(UInt32.max)

    /// Bytes that are not a response of this format.
    package struct Malformed: Error, CustomStringConvertible {
        package let description: String
    }

    /// Whether every part of `response` fits its 32-bit length: ``encode(_:)`` is only for such responses (the
    /// middleware never stores a body over ``largestPart``; one header that large cannot be sent at all).
    package static func fits(_ response: CachedResponse) -> Bool {
        response.body.readableBytes <= Self.largestPart
            && response.status.reasonPhrase.utf8.count <= Self.largestPart
            && response.headers.count <= Self.largestPart
            && response.headers.allSatisfy { field in
                field.name.rawName.utf8.count <= Self.largestPart
                    && field.withUnsafeBytesOfValue { $0.count } <= Self.largestPart
            }
    }

    /// The bytes of `response`, whose parts must each fit a 32-bit length (``fits(_:)``).
    package static func encode(_ response: CachedResponse) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + response.body.readableBytes + response.headers.count * 48)
        bytes.append(Self.version)
        Self.append(UInt16(truncatingIfNeeded: response.status.code), to: &bytes)
        Self.append(part: response.status.reasonPhrase.utf8, to: &bytes)
        Self.append(UInt64(bitPattern: Self.milliseconds(response.storedAt)), to: &bytes)
        Self.append(UInt32(truncatingIfNeeded: response.headers.count), to: &bytes)
        for field in response.headers {
            Self.append(part: field.name.rawName.utf8, to: &bytes)
            // The raw bytes: a value that is not UTF-8 (obs-text) is stored as it is, not as its repaired text.
            field.withUnsafeBytesOfValue { Self.append(part: $0, to: &bytes) }
        }
        response.body.withUnsafeReadableBytes { Self.append(part: $0, to: &bytes) }
        return bytes
    }

    /// The response `bytes` encode, exactly.
    /// - Throws: ``Malformed`` for anything else.
    package static func decode(_ bytes: [UInt8]) throws -> CachedResponse {
        try Self.decodeExactly(bytes)
    }

    private static func decodeExactly(_ bytes: [UInt8]) throws(Malformed) -> CachedResponse {
        var reader = Reader(bytes: bytes)
        let version = try reader.byte()
        guard version == Self.version else {
            throw Malformed(description: "format version \(version), expected \(Self.version)")
        }
        let code = Int(try reader.integer(UInt16.self))
        // A 1xx is never a final response: replayed, it would leave the client waiting for one.
        guard (200...999).contains(code) else { throw Malformed(description: "status code \(code)") }
        let reason = try reader.text("reason phrase")
        let status = HTTPResponse.Status(code: code, reasonPhrase: reason)
        guard status.reasonPhrase.utf8.elementsEqual(reason.utf8) else {
            throw Malformed(description: "a reason phrase with characters HTTP does not allow")
        }
        let storedAt = Duration.milliseconds(Int64(bitPattern: try reader.integer(UInt64.self)))
        let count = Int(try reader.integer(UInt32.self))
        var headers = HTTPFields()
        for _ in 0..<count {
            let rawName = try reader.text("header name")
            guard let name = HTTPField.Name(rawName) else { throw Malformed(description: "header name '\(rawName)'") }
            let value = try reader.slice(Int(try reader.integer(UInt32.self)))
            guard HTTPField.isValidValue(value) else {
                throw Malformed(description: "the value of header '\(rawName)'")
            }
            headers.append(HTTPField(name: name, value: value))
        }
        let body = try reader.slice(Int(try reader.integer(UInt32.self)))
        guard reader.isAtEnd else {
            throw Malformed(description: "\(bytes.count - reader.offset) bytes after the body")
        }
        // A 204 or 304 has no body: the bytes would reach the connection after the head, as the next response.
        if code == 204 || code == 304, !body.isEmpty {
            throw Malformed(description: "a \(code) response with a \(body.count)-byte body")
        }
        let lengths = headers[values: .contentLength]
        guard lengths.isEmpty || lengths == [String(body.count)] else {
            throw Malformed(description: "Content-Length \(lengths) for a body of \(body.count) bytes")
        }
        return CachedResponse(status: status, headers: headers, body: ByteBuffer(bytes: body), storedAt: storedAt)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000).partialValue &+ attoseconds / 1_000_000_000_000_000
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(part: some Collection<UInt8>, to bytes: inout [UInt8]) {
        Self.append(UInt32(truncatingIfNeeded: part.count), to: &bytes)
        bytes.append(contentsOf: part)
    }

    /// Reads length-checked parts from the front of the bytes.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { self.offset == self.bytes.count }

        mutating func slice(_ count: Int) throws(Malformed) -> ArraySlice<UInt8> {
            guard count >= 0, count <= self.bytes.count - self.offset else {
                throw Malformed(
                    description: "truncated: \(count) bytes wanted at offset \(self.offset) of \(self.bytes.count)")
            }
            defer { self.offset += count }
            return self.bytes[self.offset..<(self.offset + count)]
        }

        mutating func byte() throws(Malformed) -> UInt8 {
            let part = try self.slice(1)
            return part[part.startIndex]
        }

        mutating func integer<Integer: FixedWidthInteger & UnsignedInteger>(
            _ type: Integer.Type
        ) throws(Malformed) -> Integer {
            var value = Integer.zero
            for (index, byte) in try self.slice(MemoryLayout<Integer>.size).enumerated() {
                value |= Integer(truncatingIfNeeded: byte) << (8 * index)
            }
            return value
        }

        /// A length-prefixed part that must be valid UTF-8 (`what` names it in the error).
        mutating func text(_ what: String) throws(Malformed) -> String {
            let part = try self.slice(Int(try self.integer(UInt32.self)))
            guard let text = String(validating: part, as: UTF8.self) else {
                throw Malformed(description: "\(what) is not UTF-8")
            }
            return text
        }
    }
}
