import CacheLayerTestSupport
import Testing

@testable import CacheLayer

/// The fast paths of key building against naive references, on random paths and texts.
@Suite("Key text and path segments")
struct KeyTextTests {
    /// Pieces random texts are made of: separators, ASCII, CR LF (one `Character`), a combining mark that joins a
    /// preceding `/` into one `Character`, precomposed and decomposed letters, and bytes that need escaping.
    static let pieces = [
        "/", "/", "a", "Z", "9", "-", "~", ".", "_", "%", "?", " ", ":", "\r\n", "\u{301}", "é",
        "e\u{301}", "ß", "🙂", "//", "+", "=",
    ]

    static func randomText(_ generator: inout some RandomNumberGenerator) -> String {
        let count = Int.random(in: 0...12, using: &generator)
        return (0..<count).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
    }

    /// The reference: every UTF-8 byte but an unreserved character or `extra` written as `%XX`.
    static func naiveEncoding(_ text: String, keeping extra: Character?) -> String {
        let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        var encoded = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) || extra.map({ $0.utf8.first == byte }) == true {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    @Test func segmentsAreWhatStringSplitGives() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            let path = Self.randomText(&generator)
            #expect(PathPattern.segments(of: path) == path.split(separator: "/"), "\(path.debugDescription)")
        }
        // A `/` followed by a combining mark is one `Character`, and no separator.
        #expect(PathPattern.segments(of: "/a/\u{301}b") == ["a/\u{301}b"])
    }

    @Test func encodingIsTheNaiveOne() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            let text = Self.randomText(&generator)
            for extra: Character? in [nil, "/", ":"] {
                let expected = Self.naiveEncoding(text, keeping: extra)
                let kept = extra.map { $0.asciiValue! } ?? 0
                #expect(KeyText.encoded(text, keeping: kept) == expected, "\(text.debugDescription)")
                var key = KeyText(capacity: 0)
                key.append("<")
                key.appendEncoded(text, keeping: kept)
                key.append(">")
                #expect(key.string == "<" + expected + ">")
            }
        }
    }

    @Test func decisionOrdinalsFollowTheNames() {
        for (index, reason) in BypassReason.all.enumerated() {
            #expect(reason.ordinal == index)
            #expect(BoundaryDecision.names[index + 1] == reason.name)
        }
        #expect(BoundaryDecision.names.first == "cache")
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - self.count)) + self
    }
}
