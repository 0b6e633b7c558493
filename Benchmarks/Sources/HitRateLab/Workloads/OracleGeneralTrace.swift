import CacheLayer
import CacheLayerAdvisor
import Foundation

/// libCacheSim's `oracleGeneral` binary trace format, read and written: the format its published traces (Twitter,
/// Meta, Wikipedia, CDN and block traces, among others) come in, so they can be replayed here as they are.
///
/// A file is a run of 24-byte little-endian records, one per request, with no header:
///
/// | bytes | field | |
/// |---|---|---|
/// | 0-3 | `clock_time` (UInt32) | seconds; ignored here |
/// | 4-11 | `obj_id` (UInt64) | the key, named here by its decimal digits |
/// | 12-15 | `obj_size` (UInt32) | the value's bytes |
/// | 16-23 | `next_access_vtime` (Int64) | the index of the key's next request, -1 for none; ignored when read |
///
/// The reader is strict: a length that is not a whole number of records, an empty file, or a size above
/// `Int32.max` is a ``HitRateLabError/Code/malformedTrace`` error naming the record, never a trap.
/// (zstd-compressed `.zst` files must be decompressed first: `zstd -d trace.oracleGeneral.zst`.)
public enum OracleGeneralTrace {
    /// The bytes of one record.
    public static let recordSize = 24

    /// Reads and parses the file at `path`.
    /// - Throws: ``HitRateLabError/Code/fileAccess`` when it cannot be read, ``HitRateLabError/Code/malformedTrace``
    ///   when it is not a valid trace.
    public static func read(path: String) throws(HitRateLabError) -> RequestTrace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HitRateLabError(.fileAccess, "cannot read the trace '\(path)': no such file, or not readable")
        }
        return try Self.parse([UInt8](data), name: path)
    }

    /// Parses trace bytes; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws(HitRateLabError) -> RequestTrace {
        guard !bytes.isEmpty else { throw HitRateLabError(.malformedTrace, "\(name) holds no requests") }
        guard bytes.count % Self.recordSize == 0 else {
            throw HitRateLabError(
                .malformedTrace,
                "\(name) is \(bytes.count) bytes, not a whole number of \(Self.recordSize)-byte oracleGeneral records (\(bytes.count % Self.recordSize) bytes left over after record \(bytes.count / Self.recordSize))"
            )
        }
        var builder = RequestTraceBuilder()
        var names: [UInt64: String] = [:]
        for record in 0..<(bytes.count / Self.recordSize) {
            let offset = record * Self.recordSize
            let id = Self.load(UInt64.self, bytes, at: offset + 4)
            let size = Self.load(UInt32.self, bytes, at: offset + 12)
            guard size <= UInt32(Int32.max) else {
                throw HitRateLabError(
                    .malformedTrace, "\(name) record \(record + 1): the size \(size) is above \(Int32.max) bytes")
            }
            let key: String
            if let known = names[id] {
                key = known
            } else {
                key = String(id)
                names[id] = key
            }
            builder.append(key: key, size: Int(size))
        }
        return builder.result
    }

    /// The trace as oracleGeneral records: keys numbered in order of first request (a key that is already a decimal
    /// number keeps it), every time 0, each record's next-access index filled in. Requests that bypass the cache
    /// are left out.
    public static func encode(_ trace: RequestTrace, sizes: TraceSizes = .value(namespace: "hitrate")) -> [UInt8] {
        let requests = trace.requests.filter(\.isCacheable)
        var nextAccess = [Int64](repeating: -1, count: requests.count)
        var lastSeen = [Int](repeating: -1, count: trace.keys.count)
        for (index, request) in requests.enumerated().reversed() {
            let key = Int(request.key)
            nextAccess[index] = lastSeen[key] < 0 ? -1 : Int64(lastSeen[key])
            lastSeen[key] = index
        }
        let ids = trace.keys.enumerated().map { index, key in UInt64(key) ?? UInt64(index) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(requests.count * Self.recordSize)
        for (index, request) in requests.enumerated() {
            Self.store(UInt32(0), into: &bytes)
            Self.store(ids[Int(request.key)], into: &bytes)
            Self.store(UInt32(clamping: sizes.size(of: request, in: trace)), into: &bytes)
            Self.store(nextAccess[index], into: &bytes)
        }
        return bytes
    }

    private static func load<Integer: FixedWidthInteger>(_: Integer.Type, _ bytes: [UInt8], at offset: Int) -> Integer {
        var value = Integer.zero
        for byte in 0..<(Integer.bitWidth / 8) {
            value |= Integer(bytes[offset + byte]) << (8 * byte)
        }
        return value
    }

    private static func store<Integer: FixedWidthInteger>(_ value: Integer, into bytes: inout [UInt8]) {
        for byte in 0..<(Integer.bitWidth / 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * byte)))
        }
    }
}

/// Which size a written trace gives each request.
public enum TraceSizes: Sendable, Hashable {
    /// The value's bytes, as the trace holds them: reading the file back gives the same trace.
    case value(namespace: String)
    /// What `MemoryBackend` counts against its budget (namespace, key, value and `entryOverhead`), for a simulator
    /// that counts only the sizes it is given (libCacheSim): a cache of N bytes there then holds what a memory
    /// tier of N bytes holds here.
    case cost(namespace: String)

    func size(of request: RequestTrace.Request, in trace: RequestTrace) -> Int {
        switch self {
        case .value:
            return Int(request.size)
        case .cost(let namespace):
            guard let namespace = try? CacheNamespace(namespace) else { return Int(request.size) }
            return MemoryBackend.cost(
                of: CacheKey(namespace: namespace, key: trace.keys[Int(request.key)]), valueCount: Int(request.size))
        }
    }
}
