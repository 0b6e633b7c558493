#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The default codec: JSON through Foundation's `JSONEncoder` and `JSONDecoder`.
public struct JSONCacheCodec: CacheCodec {
    /// Creates a JSON codec with Foundation's default encoding options.
    public init() {}

    public func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    public func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        // Decode straight from the stored buffer: `Data(bytesNoCopy:)` wraps it without copying, and the decoder
        // does not keep the `Data` beyond this call.
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                return try JSONDecoder().decode(type, from: Data())
            }
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none)
            return try JSONDecoder().decode(type, from: data)
        }
    }
}
