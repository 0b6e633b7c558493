import HTTPTypes
import NIOCore
import CacheLayerTestSupport
import Testing

@testable import CacheLayerHTTP

/// The cached-response format reads bytes back from Redis, which anyone with access to the server can write: any
/// bytes must decode or throw ``CachedResponseFormat/Malformed``, never trap; what decodes must be what was
/// stored, and one response has one encoding (decoding is exact, so re-encoding gives back the same bytes).
@Suite("Cached-response format: hostile bytes")
struct CachedResponseFormatPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34]

    @Test(arguments: Self.seeds)
    func encodingThenDecodingGivesBackTheResponse(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let response = Self.response(&random)
            let bytes = CachedResponseFormat.encode(response)
            let decoded = try CachedResponseFormat.decode(bytes)
            #expect(decoded == response)
            #expect(decoded.status.reasonPhrase == response.status.reasonPhrase)
            #expect(CachedResponseFormat.encode(decoded) == bytes)
        }
    }

    @Test(arguments: Self.seeds)
    func randomBytesDecodeExactlyOrThrowMalformed(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<3_000 {
            var bytes = (0..<Int.random(in: 0...160, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            // Half start like a real entry, so that the reader gets past the version byte.
            if !bytes.isEmpty && Bool.random(using: &random) { bytes[0] = CachedResponseFormat.version }
            Self.expectExactOrMalformed(bytes)
        }
    }

    @Test(arguments: Self.seeds)
    func mutatedEncodingsDecodeExactlyOrThrowMalformed(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<400 {
            let valid = CachedResponseFormat.encode(Self.response(&random))
            for _ in 0..<8 {
                Self.expectExactOrMalformed(Self.mutate(valid, &random))
            }
        }
    }

    @Test func knownHostileEncodingsAreRefused() {
        let valid = CachedResponseFormat.encode(
            CachedResponse(
                status: .ok, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hello"),
                storedAt: .seconds(1))
        )
        var cases: [(String, [UInt8])] = []
        // A reason phrase with a line break (a header injected on replay) and one that is not UTF-8.
        cases.append(("reason with CRLF", Self.replacingReason(in: valid, with: Array("OK\r\nX-Evil: 1".utf8))))
        cases.append(("reason not UTF-8", Self.replacingReason(in: valid, with: [0x4F, 0xFF, 0x4B])))
        // A Content-Length that disagrees with the stored body.
        cases.append(
            (
                "content-length lies",
                CachedResponseFormat.encode(
                    CachedResponse(
                        status: .ok, headers: [.contentLength: "99"], body: ByteBuffer(string: "hello"), storedAt: .zero
                    )
                )
            ))
        for (name, bytes) in cases {
            #expect(throws: CachedResponseFormat.Malformed.self, "\(name)") { try CachedResponseFormat.decode(bytes) }
        }
    }

    /// Decodes `bytes`: a result must re-encode to exactly `bytes` (nothing was cleaned up or guessed); a failure
    /// must be ``CachedResponseFormat/Malformed``.
    static func expectExactOrMalformed(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let decoded = try CachedResponseFormat.decode(bytes)
            #expect(CachedResponseFormat.encode(decoded) == bytes, "\(bytes)", sourceLocation: sourceLocation)
        } catch {
            #expect(error is CachedResponseFormat.Malformed, "\(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Generators

    static let tokenCharacters = Array(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~".utf8)
    /// Final statuses only: a stored 1xx is malformed (StoredResponseHostileBytesTests).
    static let statuses = [200, 203, 204, 206, 301, 304, 404, 410, 451, 599, 999]

    /// A valid response: a final status, legal reason phrase, token names, legal values (visible ASCII, spaces and
    /// tabs inside, bytes 0x80-0xFF as UTF-8 or not), a body of any bytes (none for a 204 or 304), any storage time.
    static func response(_ random: inout SeededGenerator) -> CachedResponse {
        let code = Self.statuses.randomElement(using: &random)!
        let reason = String(
            decoding: (0..<Int.random(in: 0...12, using: &random)).map { _ in
                UInt8.random(in: 0x41...0x5A, using: &random)
            }, as: UTF8.self)
        var headers = HTTPFields()
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let name = String(
                decoding: (0..<Int.random(in: 1...12, using: &random)).map { _ in
                    Self.tokenCharacters.randomElement(using: &random)!
                }, as: UTF8.self)
            guard let fieldName = HTTPField.Name(name), fieldName != .contentLength else { continue }
            headers.append(HTTPField(name: fieldName, value: Self.fieldValue(&random)))
        }
        let length = code == 204 || code == 304 ? 0 : Int.random(in: 0...64, using: &random)
        let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        if Bool.random(using: &random) { headers[.contentLength] = String(body.count) }
        return CachedResponse(
            status: HTTPResponse.Status(code: code, reasonPhrase: reason),
            headers: headers,
            body: ByteBuffer(bytes: body),
            storedAt: .milliseconds(Int64.random(in: .min ... .max, using: &random))
        )
    }

    static func fieldValue(_ random: inout SeededGenerator) -> [UInt8] {
        let count = Int.random(in: 0...16, using: &random)
        var value: [UInt8] = (0..<count).map { _ in
            switch UInt8.random(in: 0...9, using: &random) {
            case 0: 0x20
            case 1: 0x09
            case 2: UInt8.random(in: 0x80...0xFF, using: &random)
            default: UInt8.random(in: 0x21...0x7E, using: &random)
            }
        }
        // No leading or trailing whitespace: HTTP trims it, and so does HTTPField.
        while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
        return value
    }

    static func mutate(_ bytes: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        switch Int.random(in: 0...6, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &random)] ^=
                UInt8(1) << UInt8.random(in: 0...7, using: &random)
        case 1 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        case 2:
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
        case 3:
            let at = Int.random(in: 0...bytes.count, using: &random)
            bytes.insert(
                contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }, at: at)
        case 4 where bytes.count >= 4:
            // A length field (or anything) overwritten with an extreme 32-bit value.
            let at = Int.random(in: 0...(bytes.count - 4), using: &random)
            let value = [UInt32.max, UInt32.max - 1, 0x8000_0000, 0, UInt32(bytes.count)].randomElement(using: &random)!
            for index in 0..<4 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        case 5 where !bytes.isEmpty:
            let start = Int.random(in: 0..<bytes.count, using: &random)
            bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...8, using: &random)))
        default:
            bytes.append(
                contentsOf: (0..<Int.random(in: 1...4, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                })
        }
        return bytes
    }

    /// `valid` (an encoding whose reason phrase is "OK") with the reason phrase replaced by `reason`.
    static func replacingReason(in valid: [UInt8], with reason: [UInt8]) -> [UInt8] {
        // version (1) + code (2) + reason length (4) + "OK" (2)
        let length = UInt32(reason.count)
        return Array(valid[0..<3]) + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + reason
            + Array(valid[9...])
    }
}
