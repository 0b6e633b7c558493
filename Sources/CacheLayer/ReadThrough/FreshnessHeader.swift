/// How the cache frames the bytes it stores, so that a reader always knows what it is reading.
///
/// A stored value whose first byte is not ``marker`` is the value itself, as the caller gave it (almost every value:
/// no copy is made either way). A value that begins with ``marker`` is framed, and the byte after the marker says how:
///
/// ```
/// 0xCA 0x00 | value                                                    a plain value that itself begins with 0xCA
/// 0xCA 0x01 | fresh until: Int64 ms on the freshness clock, big-endian | load time: UInt32 ms, big-endian | value
/// ```
///
/// Every write of the ``Cache`` facade frames its value this way, so a value's own bytes are never mistaken for a
/// header: user bytes that begin with `0xCA` are stored behind `0xCA 0x00` and read back unchanged. Stored bytes
/// that begin with the marker and a kind this version does not know (the first format, `0xCA 'C' 'L' 0x01`, or a
/// newer one) read as a miss: entries are caches, and the next load replaces them.
///
/// The freshness header is written by `getOrLoad` and `readThrough` under a grace period or early refresh: when the
/// value stops being fresh, and how long loading it took. The backend's own time-to-live is the fresh period plus
/// the grace period, so the backend still drops the entry when grace ends. Values without the header are fresh for
/// as long as the backend keeps them.
struct FreshnessHeader: Equatable, Sendable {
    /// The first byte of every framed value.
    static let marker: UInt8 = 0xCA
    /// The second byte of a framed value: what follows.
    enum Kind: UInt8 {
        /// The value, verbatim.
        case plain = 0x00
        /// The freshness header, then the value.
        case fresh = 0x01
    }

    /// The bytes in front of a value framed with a freshness header.
    static let byteCount = 14

    /// The moment, on the freshness clock, the value stops being fresh.
    var freshUntil: Duration
    /// How long the load that produced the value took.
    var loadDuration: Duration

    /// The header followed by `value`.
    func framing(_ value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount + value.count)
        bytes.append(Self.marker)
        bytes.append(Kind.fresh.rawValue)
        let until = UInt64(bitPattern: self.freshUntil.wholeMilliseconds)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: until >> UInt64(shift)))
        }
        let load = UInt32(clamping: max(self.loadDuration.wholeMilliseconds, 0))
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: load >> UInt32(shift)))
        }
        bytes.append(contentsOf: value)
        return bytes
    }

    /// The bytes to store for a value without a header: `value` itself, unless it begins with the marker.
    @inline(__always)
    static func framingPlain(_ value: [UInt8]) -> [UInt8] {
        guard value.first == Self.marker else { return value }
        return Self.framingEscaped(value)
    }

    @inline(never)
    private static func framingEscaped(_ value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [Self.marker, Kind.plain.rawValue]
        bytes.append(contentsOf: value)
        return bytes
    }

    /// Splits stored bytes into their header (`nil` when there is none) and the value; `nil` when the bytes are
    /// framed in a way this version does not read (a miss). Bytes that are not framed are returned without a copy.
    @inline(__always)
    static func unframe(_ bytes: [UInt8]) -> (header: FreshnessHeader?, value: [UInt8])? {
        guard bytes.first == Self.marker else { return (nil, bytes) }
        return Self.unframeMarked(bytes)
    }

    /// The value in `bytes` as a plain read returns it: `nil` when the bytes are framed in a way this version does
    /// not read, or when their header says the value stopped being fresh before `now` (on the freshness clock). Such
    /// a value is kept only for a read-through to serve stale while it loads again (a grace period, stale-if-error):
    /// a plain read, which loads nothing, does not return it.
    @inline(__always)
    static func freshValue(_ bytes: [UInt8], now: @autoclosure () -> Duration) -> [UInt8]? {
        guard let (header, value) = Self.unframe(bytes) else { return nil }
        if let header, now() >= header.freshUntil { return nil }
        return value
    }

    @inline(never)
    private static func unframeMarked(_ bytes: [UInt8]) -> (header: FreshnessHeader?, value: [UInt8])? {
        guard bytes.count >= 2, let kind = Kind(rawValue: bytes[1]) else { return nil }
        switch kind {
        case .plain:
            return (nil, Array(bytes[2...]))
        case .fresh:
            guard bytes.count >= Self.byteCount else { return nil }
            var until: UInt64 = 0
            for byte in bytes[2..<10] { until = until << 8 | UInt64(byte) }
            var load: UInt32 = 0
            for byte in bytes[10..<14] { load = load << 8 | UInt32(byte) }
            let header = FreshnessHeader(
                freshUntil: .milliseconds(Int64(bitPattern: until)),
                loadDuration: .milliseconds(Int64(load))
            )
            return (header, Array(bytes[Self.byteCount...]))
        }
    }
}
