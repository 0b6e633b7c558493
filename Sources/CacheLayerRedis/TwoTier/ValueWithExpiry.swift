import CacheLayer

/// `GET` and `PTTL` of one key in one step (a script, so both see the same version): what a memory fill needs to
/// never outlive the entry in Redis.
enum ValueWithExpiry {
    static let script = RedisScript(
        source:
            "local v = redis.call('GET', KEYS[1]) if not v then return nil end return {v, redis.call('PTTL', KEYS[1])}",
        sha1: "580ee4bc34ba5789d9e8e95f6205c906403271fc")

    /// The value, and how long it has left (`nil`: no expiry), or `nil` when the key is missing.
    static func run(
        key: [UInt8],
        execute: (RedisCommand) async throws(CacheError) -> RedisReply
    ) async throws(CacheError) -> (value: [UInt8], timeLeft: Duration?)? {
        let reply = try await Self.script.run(keys: [key], idempotent: true, execute: execute)
        switch reply {
        case .null:
            return nil
        case .array(let parts) where parts.count == 2:
            guard case .bulk(let value) = parts[0], case .integer(let milliseconds) = parts[1] else {
                throw reply.unexpected("EVALSHA")
            }
            // -1: no expiry. -2 cannot happen (the script saw the key), but reads as "expires now".
            if milliseconds == -1 { return (value, nil) }
            return (value, .milliseconds(max(milliseconds, 0)))
        default:
            throw reply.unexpected("EVALSHA")
        }
    }
}
