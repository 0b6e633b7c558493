import Synchronization

/// Values decoded lately (by a read-through, or by the response cache's hits), each with the stored bytes it came
/// from, so that reading the very same bytes again skips decoding: an HTTP response served from the in-memory tier is
/// parsed once, not on every hit.
///
/// "The very same bytes" is the identity of the array's storage, not its contents: the in-memory backend hands out
/// its own storage on every read, so a hit finds its value here; bytes read from Redis are new storage each time and
/// never do. The identity is sound because an entry keeps its bytes alive: their storage cannot be freed and reused
/// for other bytes while the entry holds it, and storage shared by two arrays is never written (an array copies it
/// first). A write, removal or eviction in the backend changes which bytes a read returns, so a memoised value is
/// never served for bytes it was not decoded from.
///
/// The memo has a fixed number of slots, one entry each (the last bytes whose address maps there), and takes only
/// bytes within a size range: what it keeps alive beyond the backend's budget is bounded by slots times the largest
/// size, twice (the bytes and the decoded value's own copy).
///
/// Its reads and writes are inlinable, so that a caller in another module runs them specialised for its value type
/// (generic code run unspecialised looks its types' metadata up at run time, on every hit). That takes a public
/// declaration: Swift 6.3 does not specialise an inlinable `package` one in another module. It is public only to
/// this package's modules that import the `CacheLayerInternals` SPI, and not API.
@_spi(CacheLayerInternals)
public final class DecodedValueMemo<Value: Sendable>: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline let bytes: [UInt8]
        @usableFromInline let value: Value

        @usableFromInline
        init(bytes: [UInt8], value: Value) {
            self.bytes = bytes
            self.value = value
        }
    }

    /// One slot, under its own lock: readers of different slots never wait for each other.
    @usableFromInline
    final class Slot: Sendable {
        @usableFromInline let entry = Mutex<Entry?>(nil)

        init() {}
    }

    @usableFromInline let slots: [Slot]
    @usableFromInline let sizes: ClosedRange<Int>

    /// A memo of `slotCount` slots (rounded up to a power of two) for bytes whose count is within `sizes`.
    public init(slotCount: Int = 64, sizes: ClosedRange<Int> = 1_024...(64 << 10)) {
        let count = max(1, slotCount).nextPowerOfTwo
        self.slots = (0..<count).map { _ in Slot() }
        self.sizes = sizes
    }

    /// The value decoded from exactly these bytes (the same storage), if this memo still holds it.
    @inlinable
    public func value(decodedFrom bytes: [UInt8]) -> Value? {
        guard self.sizes.contains(bytes.count) else { return nil }
        let address = Self.address(of: bytes)
        return self.slot(for: address).entry.withLock { entry -> Value? in
            guard let entry, Self.address(of: entry.bytes) == address, entry.bytes.count == bytes.count else {
                return nil
            }
            return entry.value
        }
    }

    /// Remembers that `bytes` decode as `value`, in place of what their slot held.
    @inlinable
    public func remember(_ value: Value, decodedFrom bytes: [UInt8]) {
        guard self.sizes.contains(bytes.count) else { return }
        let entry = Entry(bytes: bytes, value: value)
        self.slot(for: Self.address(of: bytes)).entry.withLock { $0 = entry }
    }

    @inlinable
    func slot(for address: UInt) -> Slot {
        // Allocations are 16-byte aligned: the low bits say nothing. Fibonacci hashing spreads the rest.
        let mixed = (address >> 4) &* 0x9E37_79B9_7F4A_7C15
        return self.slots[Int(truncatingIfNeeded: mixed >> 32) & (self.slots.count - 1)]
    }

    /// The address of the array's storage (its elements), as an integer: its identity while it is alive.
    @inlinable
    static func address(of bytes: [UInt8]) -> UInt {
        bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }
}

extension Int {
    /// The smallest power of two at least this (1 for zero or less).
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}

/// A ``DecodedValueMemo`` as a coding holds it: a coding's value type need not be `Sendable`, a memo's must.
package struct DecodedValueLookup<Value>: Sendable {
    let value: @Sendable ([UInt8]) -> Value?
    let remember: @Sendable (Value, [UInt8]) -> Void
}

extension CacheValueCoding where Value: Sendable {
    /// This coding, with read-throughs keeping the values it decodes in `memo` and decoding the same stored bytes
    /// (the same storage, see ``DecodedValueMemo``) only once.
    package func memoizing(in memo: DecodedValueMemo<Value>) -> CacheValueCoding {
        self.memoizing(in: memo, keeping: { $0 }, as: { $0 })
    }

    /// This coding, with read-throughs keeping what `keeping` makes of the values it decodes in `memo` (a value it
    /// makes nothing of is not kept), and reading them back `as` values: for a memo its owner also reads directly,
    /// in the type it decodes (a response cache's hits read it without going through the coding).
    package func memoizing<Kept: Sendable>(
        in memo: DecodedValueMemo<Kept>,
        keeping: @escaping @Sendable (Value) -> Kept?,
        as value: @escaping @Sendable (Kept) -> Value
    ) -> CacheValueCoding {
        var coding = self
        coding.decodedValues = DecodedValueLookup(
            value: { memo.value(decodedFrom: $0).map(value) },
            remember: { decoded, bytes in keeping(decoded).map { memo.remember($0, decodedFrom: bytes) } }
        )
        return coding
    }
}
