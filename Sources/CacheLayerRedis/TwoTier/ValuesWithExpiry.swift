import CacheLayer

/// `GET` and `PTTL` of keys of one server (and, in a cluster, of one hash slot) in one step (a script, so both see
/// the same version): what a memory fill needs to never outlive the entry in Redis, for a single read and a batch.
enum ValuesWithExpiry {
    /// A key's value and how long it has left in Redis (`nil`: no expiry).
    typealias Found = (value: [UInt8], timeLeft: Duration?)

    /// Two reply elements per key: the value (a null when missing) and its `PTTL`.
    static let script = RedisScript(
        source: "local r = {} for _, k in ipairs(KEYS) do local v = redis.call('GET', k) if v then r[#r + 1] = v "
            + "r[#r + 1] = redis.call('PTTL', k) else r[#r + 1] = false r[#r + 1] = -2 end end return r",
        sha1: "8998d5e6ee73f92b2e31d346972bdd53acccaaad")

    /// For each key, in order: its value and how long it has left (`nil`: no expiry), or `nil` when it is missing.
    static func run(
        keys: [[UInt8]],
        execute: (RedisCommand) async throws(CacheError) -> RedisReply
    ) async throws(CacheError) -> [Found?] {
        let reply = try await Self.script.run(keys: keys, idempotent: true, execute: execute)
        guard case .array(let parts) = reply, parts.count == 2 * keys.count else {
            throw reply.unexpected("EVALSHA")
        }
        var found: [Found?] = []
        found.reserveCapacity(keys.count)
        for index in keys.indices {
            switch (parts[2 * index], parts[2 * index + 1]) {
            case (.null, _):
                found.append(nil)
            // -1: no expiry. -2 cannot happen (the script saw the key), but reads as "expires now".
            case (.bulk(let value), .integer(let milliseconds)):
                found.append((value, milliseconds == -1 ? nil : .milliseconds(max(milliseconds, 0))))
            default:
                throw reply.unexpected("EVALSHA")
            }
        }
        return found
    }
}
