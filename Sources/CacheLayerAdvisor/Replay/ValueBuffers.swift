/// One value array per size, shared by every entry of that size: arrays are copy-on-write, so storing the same
/// array under many keys costs one buffer in the process while each entry is still counted at its full size.
/// Shared with the Benchmarks package (`@_spi(Benchmarks)`), not API.
@_spi(Benchmarks)
public struct ValueBuffers {
    private var bySize: [Int: [UInt8]] = [:]

    /// Creates an empty set of buffers.
    public init() {}

    /// The value of `size` bytes, made on first use.
    public mutating func value(of size: Int) -> [UInt8] {
        if let value = self.bySize[size] { return value }
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: size)
        self.bySize[size] = value
        return value
    }
}
