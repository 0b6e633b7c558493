#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The default codec: JSON through Foundation's `JSONEncoder` and `JSONDecoder`.
public struct JSONCacheCodec: CacheCodec {
    // One encoder and one decoder for all calls: making them costs more than a small value's coding, and their
    // encode and decode methods are safe to call concurrently.
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder

    /// Creates a JSON codec with Foundation's default options.
    public init() {
        self.init(encoder: JSONEncoder(), decoder: JSONDecoder())
    }

    /// Creates a JSON codec with your own encoder and decoder (date strategies, key strategies, ...).
    public init(encoder: JSONEncoder, decoder: JSONDecoder) {
        self.encoder = encoder
        self.decoder = decoder
    }

    public func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try self.encoder.encode(value))
    }

    public func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        // Decode straight from the stored buffer: `Data(bytesNoCopy:)` wraps it without copying, and the decoder
        // does not keep the `Data` beyond this call.
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                return try self.decoder.decode(type, from: Data())
            }
            let data = Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none)
            return try self.decoder.decode(type, from: data)
        }
    }
}
