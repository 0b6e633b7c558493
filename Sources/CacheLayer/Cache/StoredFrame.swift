/// How the cache frames the bytes it stores, so that a reader always knows what it is reading.
///
/// A stored value whose first byte is not ``marker`` is the value itself, as the caller gave it (almost every value:
/// no copy is made either way). A value that begins with ``marker`` is framed, and the byte after the marker says how
/// (integers big-endian, times in milliseconds on the freshness clock):
///
/// ```
/// 0xCA 0x00 | value                                                     a plain value that itself begins with 0xCA
/// 0xCA 0x01 | fresh until: Int64 | load time: UInt32 | value            freshness (written by earlier versions)
/// 0xCA 0x02 | written at: Int64 | value                                 the write time
/// 0xCA 0x03 | fresh until: Int64 | load time: UInt32 | written at: Int64 | value     freshness and write time
/// ```
///
/// Every write of the ``Cache`` facade frames its value this way, so a value's own bytes are never mistaken for a
/// frame: user bytes that begin with `0xCA` are stored behind `0xCA 0x00` and read back unchanged. Read-throughs that
/// track freshness write `0x03`; other writes record their write time (`0x02`) only with
/// ``Cache/Configuration/recordsItemAge``. Stored bytes that begin with the marker and a kind this version does not
/// know (the first format, `0xCA 'C' 'L' 0x01`, or a newer one) read as a miss: entries are caches, and the next
/// load replaces them.
struct StoredFrame: Equatable, Sendable {
    /// The first byte of every framed value.
    static let marker: UInt8 = 0xCA
    /// The second byte of a framed value: what follows.
    enum Kind: UInt8 {
        /// The value, verbatim.
        case plain = 0x00
        /// The freshness header, then the value.
        case fresh = 0x01
        /// The write time, then the value.
        case written = 0x02
        /// The freshness header and the write time, then the value.
        case freshWritten = 0x03

        /// How many bytes the frame of this kind takes in front of the value, marker and kind included.
        var byteCount: Int {
            switch self {
            case .plain: 2
            case .fresh: 14
            case .written: 10
            case .freshWritten: 22
            }
        }
    }

    /// When the value stops being fresh, for a value written by a read-through that tracks freshness.
    var freshness: FreshnessHeader?
    /// When the value was written, on the freshness clock: what `cache.item_age` is measured from.
    var writtenAt: Duration?

    /// The bytes to store: this frame, then `value`. A frame with neither part is ``framingPlain(_:)``.
    func framing(_ value: [UInt8]) -> [UInt8] {
        let kind: Kind
        switch (self.freshness, self.writtenAt) {
        case (nil, nil): return Self.framingPlain(value)
        case (nil, _): kind = .written
        case (_, nil): kind = .fresh
        case (_, _): kind = .freshWritten
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(kind.byteCount + value.count)
        bytes.append(Self.marker)
        bytes.append(kind.rawValue)
        if let freshness = self.freshness {
            Self.append(UInt64(bitPattern: freshness.freshUntil.wholeMilliseconds), byteCount: 8, to: &bytes)
            Self.append(
                UInt64(UInt32(clamping: max(freshness.loadDuration.wholeMilliseconds, 0))), byteCount: 4, to: &bytes)
        }
        if let writtenAt = self.writtenAt {
            Self.append(UInt64(bitPattern: writtenAt.wholeMilliseconds), byteCount: 8, to: &bytes)
        }
        bytes.append(contentsOf: value)
        return bytes
    }

    /// The bytes to store for a value without a frame: `value` itself, unless it begins with the marker.
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

    /// Splits stored bytes into their frame (empty when there is none) and the value; `nil` when the bytes are
    /// framed in a way this version does not read (a miss). Bytes that are not framed are returned without a copy.
    @inline(__always)
    static func unframe(_ bytes: [UInt8]) -> (frame: StoredFrame, value: [UInt8])? {
        guard let (frame, offset) = Self.read(bytes) else { return nil }
        return (frame, Self.value(in: bytes, at: offset))
    }

    /// The frame of stored bytes (empty when there is none) and where the value starts in them; `nil` when the bytes
    /// are framed in a way this version does not read (a miss). Nothing is copied.
    @inline(__always)
    static func read(_ bytes: [UInt8]) -> (frame: StoredFrame, valueOffset: Int)? {
        guard bytes.first == Self.marker else { return (StoredFrame(), 0) }
        return Self.readMarked(bytes)
    }

    /// The value of stored bytes whose frame ends at `offset` (``read(_:)``): the bytes themselves when there is no
    /// frame, else a copy of what follows it.
    @inline(__always)
    static func value(in bytes: [UInt8], at offset: Int) -> [UInt8] {
        offset == 0 ? bytes : Array(bytes[offset...])
    }

    /// The value in `bytes` as a plain read returns it, and when it was written if the frame says: `nil` when the
    /// bytes are framed in a way this version does not read, or when their freshness header says the value stopped
    /// being fresh before `now` (on the freshness clock). Such a value is kept only for a read-through to serve stale
    /// while it loads again (a grace period, stale-if-error): a plain read, which loads nothing, does not return it.
    @inline(__always)
    static func freshValue(
        _ bytes: [UInt8], now: @autoclosure () -> Duration
    ) -> (value: [UInt8], writtenAt: Duration?)? {
        guard let (frame, value) = Self.unframe(bytes), frame.isFresh(at: now()) else { return nil }
        return (value, frame.writtenAt)
    }

    /// Whether the value is fresh at `now` (on the freshness clock): it has no freshness header, or is read before
    /// the header's end.
    @inline(__always)
    func isFresh(at now: @autoclosure () -> Duration) -> Bool {
        guard let freshness = self.freshness else { return true }
        return now() < freshness.freshUntil
    }

    @inline(never)
    private static func readMarked(_ bytes: [UInt8]) -> (frame: StoredFrame, valueOffset: Int)? {
        guard bytes.count >= 2, let kind = Kind(rawValue: bytes[1]), bytes.count >= kind.byteCount else { return nil }
        var frame = StoredFrame()
        var offset = 2
        if kind == .fresh || kind == .freshWritten {
            let until = Self.integer(in: bytes, at: offset, byteCount: 8)
            let load = Self.integer(in: bytes, at: offset + 8, byteCount: 4)
            frame.freshness = FreshnessHeader(
                freshUntil: .milliseconds(Int64(bitPattern: until)),
                loadDuration: .milliseconds(Int64(load))
            )
            offset += 12
        }
        if kind == .written || kind == .freshWritten {
            frame.writtenAt = .milliseconds(Int64(bitPattern: Self.integer(in: bytes, at: offset, byteCount: 8)))
            offset += 8
        }
        return (frame, offset)
    }

    private static func append(_ integer: UInt64, byteCount: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: integer >> UInt64(shift)))
        }
    }

    private static func integer(in bytes: [UInt8], at offset: Int, byteCount: Int) -> UInt64 {
        var integer: UInt64 = 0
        for byte in bytes[offset..<offset + byteCount] { integer = integer << 8 | UInt64(byte) }
        return integer
    }
}
