import CacheLayer

/// Deletes a key only if it still holds the expected value, atomically on the server: the release of a lock
/// that must not remove a lock another owner took after ours expired. Sent as EVALSHA, falling back to EVAL the
/// first time a server has not cached the script.
enum OwnerCheckedDelete {
    static let script =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
    /// SHA-1 of ``script``, as `SCRIPT LOAD` reports it (checked by a test against a real server).
    static let sha1 = "e9f69f2beb755be68b5e456ee2ce9aadfbc4ebf4"

    /// Runs the delete through `execute`, which sends a command to the server that holds `key`. Returns whether
    /// the key was removed.
    static func run(
        key: [UInt8],
        expected: [UInt8],
        execute: (RedisCommand) async throws(CacheError) -> RedisReply
    ) async throws(CacheError) -> Bool {
        let numberOfKeys = Array("1".utf8)
        let reply: RedisReply
        do {
            reply = try await execute(RedisCommand("EVALSHA", Array(sha1.utf8), numberOfKeys, key, expected))
        } catch  where error.responseStatusCode == "NOSCRIPT" {
            reply = try await execute(RedisCommand("EVAL", Array(script.utf8), numberOfKeys, key, expected))
        }
        guard case .integer(let removed) = reply else { throw reply.unexpected("EVALSHA") }
        return removed > 0
    }
}
