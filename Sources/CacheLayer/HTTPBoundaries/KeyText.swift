/// A boundary's cache key under construction, in one buffer: percent-encoded parts and the separators between them.
/// Every byte it holds is ASCII (encoding leaves only unreserved characters), so the bytes are the key's UTF-8.
struct KeyText {
    private var bytes: [UInt8] = []

    /// An empty key with room for `capacity` bytes.
    init(capacity: Int) {
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends a separator or marker as it is (ASCII).
    mutating func append(_ literal: StaticString) {
        self.bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `text` with every byte written as `%XX` (upper-case hex) but RFC 3986's unreserved characters and
    /// `extra` (an ASCII byte; 0 keeps none).
    mutating func appendEncoded(_ text: String, keeping extra: UInt8 = 0) {
        var text = text
        text.withUTF8 { self.appendEncoded(bytes: $0, keeping: extra) }
    }

    private mutating func appendEncoded(bytes text: UnsafeBufferPointer<UInt8>, keeping extra: UInt8) {
        // Most parts need no escape: one copy.
        if text.allSatisfy({ Self.isKept($0, extra) }) {
            self.bytes.append(contentsOf: text)
            return
        }
        let digits: StaticString = "0123456789ABCDEF"
        for byte in text {
            if Self.isKept(byte, extra) {
                self.bytes.append(byte)
            } else {
                self.bytes.append(UInt8(ascii: "%"))
                self.bytes.append(digits.utf8Start[Int(byte >> 4)])
                self.bytes.append(digits.utf8Start[Int(byte & 0x0F)])
            }
        }
    }

    /// Appends a key part built elsewhere (already encoded).
    mutating func append(encoded text: String) {
        self.bytes.append(contentsOf: text.utf8)
    }

    /// The key.
    var string: String {
        String(decoding: self.bytes, as: UTF8.self)
    }

    /// `text` percent-encoded as ``appendEncoded(_:keeping:)`` writes it.
    static func encoded(_ text: String, keeping extra: UInt8 = 0) -> String {
        // Most names and values need no escape: then the text is the encoding, and nothing is built.
        if text.utf8.allSatisfy({ Self.isKept($0, extra) }) { return text }
        var key = KeyText(capacity: text.utf8.count * 3)
        key.appendEncoded(text, keeping: extra)
        return key.string
    }

    /// Whether `byte` stands for itself in a key: an unreserved character of RFC 3986, or `extra`.
    @inline(__always)
    static func isKept(_ byte: UInt8, _ extra: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return byte == extra && extra != 0
        }
    }
}
