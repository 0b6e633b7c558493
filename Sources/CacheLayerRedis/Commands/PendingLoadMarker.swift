/// The value a guarded load writes at its key while it runs (when the key holds no live value): `0xCA 0x7F` and 16
/// random hexadecimal digits. A removal or invalidation deletes it, and the load's store, which requires it, is then
/// refused. Reads see a miss: the backends return `nil` for it, and the cache's framing (`0xCA` and a kind it does not
/// know) would too. No value the cache writes looks like it: the cache frames every value that begins with `0xCA`.
enum PendingLoadMarker {
    static let prefix: [UInt8] = [0xCA, 0x7F]
    static let byteCount = 18

    /// A new marker, unique across processes.
    static func make() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var marker = Self.prefix
        marker.reserveCapacity(Self.byteCount)
        var word = generator.next()
        for _ in 0..<16 {
            marker.append(digits[Int(word & 0xF)])
            word >>= 4
        }
        return marker
    }

    /// Whether `value` is a marker.
    @inline(__always)
    static func isMarker(_ value: [UInt8]) -> Bool {
        value.count == Self.byteCount && value[0] == 0xCA && value[1] == 0x7F
    }
}
