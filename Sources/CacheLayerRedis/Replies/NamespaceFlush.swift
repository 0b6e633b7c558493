import CacheLayer

/// Removes every key matching a namespace pattern with SCAN + UNLINK: incremental, non-blocking for the server,
/// and limited to the pattern (never FLUSHDB).
enum NamespaceFlush {
    static func run(pattern: [UInt8], on backend: RedisBackend) async throws(CacheError) {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let reply = try await backend.execute(
                RedisCommand("SCAN", cursor, Array("MATCH".utf8), pattern, Array("COUNT".utf8), Array("1000".utf8))
            )
            guard case .array(let parts) = reply, parts.count == 2, case .bulk(let next) = parts[0],
                case .array(let found) = parts[1]
            else { throw reply.unexpected("SCAN") }
            let keys = found.compactMap { element -> [UInt8]? in
                if case .bulk(let key) = element { return key }
                return nil
            }
            if !keys.isEmpty {
                _ = try await backend.execute(RedisCommand([Array("UNLINK".utf8)] + keys))
            }
            cursor = next
        } while cursor != Array("0".utf8)
    }
}
