/// The hash slot of a key in a Redis Cluster: CRC16 (XMODEM) of the key modulo 16384, where a key holding a
/// hash tag (the bytes between its first `{` and the first `}` after it, when there is at least one) hashes only
/// the tag. Keys with the same tag share a slot, so multi-key commands and scripts may use them together.
///
/// With the cache's layout, `keyPrefix + namespace + ":" + key`, the tag is normally in the key: the prefix may
/// not hold braces, and a namespace that holds a tag puts the whole namespace in one slot.
enum HashSlot {
    static let count = 16_384

    static func of(_ key: [UInt8]) -> Int {
        key.withUnsafeBufferPointer { bytes in
            Int(crc16(Self.hashedPart(of: bytes)) & UInt16(Self.count - 1))
        }
    }

    /// The bytes Redis hashes: the hash tag when there is one, else the whole key.
    static func hashedPart(of key: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key }
        let rest = key[(open + 1)...]
        guard let close = rest.firstIndex(of: UInt8(ascii: "}")), close > open + 1 else { return key }
        return UnsafeBufferPointer(rebasing: key[(open + 1)..<close])
    }

    /// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection, as in Redis's `crc16.c`.
    static func crc16(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ Self.table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
