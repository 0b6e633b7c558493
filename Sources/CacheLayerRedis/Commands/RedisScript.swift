import CacheLayer

/// A Lua script run with EVALSHA, falling back to EVAL the first time a server has not cached it.
struct RedisScript: Sendable {
    let source: String
    /// SHA-1 of ``source``, as `SCRIPT LOAD` reports it.
    let sha1: String

    /// Runs the script on `keys` (all in one hash slot) with `arguments` through `execute`, which sends a command to
    /// the server that holds the keys. Unless `idempotent` (a script that only reads), a script is never sent again
    /// after it may have run.
    func run(
        keys: [[UInt8]],
        arguments: [[UInt8]] = [],
        idempotent: Bool = false,
        execute: (RedisCommand) async throws(CacheError) -> RedisReply
    ) async throws(CacheError) -> RedisReply {
        let tail = [Array(String(keys.count).utf8)] + keys + arguments
        do {
            let command = RedisCommand([Array("EVALSHA".utf8), Array(self.sha1.utf8)] + tail)
            return try await execute(idempotent ? command.idempotent : command)
        } catch  where error.responseStatusCode == "NOSCRIPT" {
            let command = RedisCommand([Array("EVAL".utf8), Array(self.source.utf8)] + tail)
            return try await execute(idempotent ? command.idempotent : command)
        }
    }
}
