import CacheLayer

/// Removes every key matching a namespace pattern with SCAN + UNLINK: incremental, non-blocking for the server,
/// and limited to the pattern (never FLUSHDB).
enum NamespaceFlush {
    /// Scans one server with `scan` and hands each batch of keys found to `unlink` (one UNLINK on a single
    /// server; one per hash slot on a cluster, where a command's keys must share a slot).
    static func run(
        pattern: [UInt8],
        maximumBatches: Int = NamespaceFlush.maximumBatches,
        scan: (RedisCommand) async throws(CacheError) -> RedisReply,
        unlink: ([[UInt8]]) async throws(CacheError) -> Void
    ) async throws(CacheError) {
        var cursor: [UInt8] = Array("0".utf8)
        var batches = 0
        repeat {
            // A server that never returns cursor 0 (buggy, hostile, or a keyspace far beyond any real one) must not
            // hold the caller forever; nor may a caller that gave up.
            batches += 1
            guard batches <= maximumBatches else {
                throw CacheError(.backendError, "SCAN did not finish after \(maximumBatches) batches")
            }
            guard !Task.isCancelled else { throw CacheError(.timeout, "the namespace flush was cancelled") }
            let reply = try await scan(
                RedisCommand("SCAN", cursor, Array("MATCH".utf8), pattern, Array("COUNT".utf8), Array("1000".utf8))
                    .idempotent
            )
            guard case .array(let parts) = reply, parts.count == 2, case .bulk(let next) = parts[0],
                case .array(let found) = parts[1]
            else { throw reply.unexpected("SCAN") }
            let keys = found.compactMap { element -> [UInt8]? in
                if case .bulk(let key) = element { return key }
                return nil
            }
            if !keys.isEmpty {
                try await unlink(keys)
            }
            cursor = next
        } while cursor != Array("0".utf8)
    }

    /// The most SCAN calls one flush makes: 10 million batches of up to 1,000 keys, beyond any real keyspace.
    static let maximumBatches = 10_000_000

    /// `UNLINK key [key ...]`. Idempotent here: a flush ignores how many keys it removed.
    static func unlinkCommand(_ keys: [[UInt8]]) -> RedisCommand {
        RedisCommand([Array("UNLINK".utf8)] + keys).idempotent
    }
}
