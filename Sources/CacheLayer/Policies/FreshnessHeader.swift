/// The 16-byte header in front of a value written by `getOrLoad` under a grace period or early refresh: when the
/// value stops being fresh, and how long loading it took.
///
/// ```
/// 0xCA 'C' 'L' 0x01 | fresh until: Int64 ms on the freshness clock, big-endian | load time: UInt32 ms | value
/// ```
///
/// The backend's own time-to-live is the fresh period plus the grace period, so the backend still drops the
/// entry when grace ends. Values without the header are fresh for as long as the backend keeps them.
struct FreshnessHeader: Equatable, Sendable {
    static let magic: [UInt8] = [0xCA, 0x43, 0x4C, 0x01]
    static let byteCount = 16

    /// The moment, on the freshness clock, the value stops being fresh.
    var freshUntil: Duration
    /// How long the load that produced the value took.
    var loadDuration: Duration

    /// The header followed by `value`.
    func framing(_ value: [UInt8]) -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.byteCount + value.count)
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

    /// Splits stored bytes into their header (`nil` when there is none) and the value.
    static func unframe(_ bytes: [UInt8]) -> (header: FreshnessHeader?, value: [UInt8]) {
        guard bytes.count >= Self.byteCount, bytes[0..<4].elementsEqual(Self.magic) else {
            return (nil, bytes)
        }
        var until: UInt64 = 0
        for byte in bytes[4..<12] { until = until << 8 | UInt64(byte) }
        var load: UInt32 = 0
        for byte in bytes[12..<16] { load = load << 8 | UInt32(byte) }
        let header = FreshnessHeader(
            freshUntil: .milliseconds(Int64(bitPattern: until)),
            loadDuration: .milliseconds(Int64(load))
        )
        return (header, Array(bytes[Self.byteCount...]))
    }
}
