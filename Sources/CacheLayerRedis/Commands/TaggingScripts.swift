import CacheLayer

/// The Lua scripts of tags and guarded loads, each atomic on the one node that holds its keys (a key and its
/// pending-load marker; a tag set and its invalidating set, which share the tag's hash slot). SHA-1s as
/// `SCRIPT LOAD` reports them (checked by a test against a real server).
enum TaggingScripts {
    /// Starts a guarded load of KEYS[1]: returns the key's pending-load marker when it holds one (another load's,
    /// shared), the SHA-1 of its value when it holds a live one (a refresh), or else writes ARGV[1], a new marker,
    /// for ARGV[2] ms and returns it. ARGV[3] is the markers' two-byte prefix.
    static let beginLoad = RedisScript(
        source:
            "local v = redis.call('get', KEYS[1]) if v then if string.len(v) == string.len(ARGV[1]) and "
            + "string.sub(v, 1, 2) == ARGV[3] then return v end return redis.sha1hex(v) end "
            + "redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2]) return ARGV[1]",
        sha1: "c0b512f41e1d66d9db0abdc910fc05989a3d7cef"
    )

    /// Stores ARGV[2] at KEYS[1] (for ARGV[3] ms; none when empty) only if the key still holds what the load's
    /// token ARGV[1] names: its marker, or a value with that SHA-1. Returns 1 when it stored, 0 when a removal,
    /// invalidation or write came first.
    static let finishLoad = RedisScript(
        source:
            "local v = redis.call('get', KEYS[1]) if not v then return 0 end if v ~= ARGV[1] and "
            + "redis.sha1hex(v) ~= ARGV[1] then return 0 end if ARGV[3] == '' then redis.call('set', "
            + "KEYS[1], ARGV[2]) else redis.call('set', KEYS[1], ARGV[2], 'px', ARGV[3]) end return 1",
        sha1: "2fedec6bdb6ee63e0242cd97278fb47461411e52"
    )

    /// Whether KEYS[1] still holds what the load's token ARGV[1] names (its marker, or a value with that SHA-1):
    /// 1 when nothing removed, invalidated or wrote it since the load began, 0 otherwise. Writes nothing: the
    /// marker may be another process's load's too, and lapses with its window.
    static let endLoad = RedisScript(
        source:
            "local v = redis.call('get', KEYS[1]) if v and (v == ARGV[1] or redis.sha1hex(v) == ARGV[1]) then "
            + "return 1 end return 0",
        sha1: "a73acafe28d5bfbbeb13d33bcf829b895921583a"
    )

    /// Adds ARGV[2] to the tag set KEYS[1] and makes the set live at least ARGV[1] ms (for ever when empty): a new
    /// set gets that expiry, an expiring one is extended, a persistent one stays so.
    static let addMember = RedisScript(
        source:
            "local new = redis.call('exists', KEYS[1]) == 0 redis.call('sadd', KEYS[1], ARGV[2]) if "
            + "ARGV[1] == '' then redis.call('persist', KEYS[1]) return 1 end local left = "
            + "redis.call('pttl', KEYS[1]) if new or (left >= 0 and left < tonumber(ARGV[1])) then "
            + "redis.call('pexpire', KEYS[1], ARGV[1]) end return 1",
        sha1: "f87a3449aa77e90ea824b72080814500df0f4f46"
    )

    /// Moves the members of the tag set KEYS[1] into its invalidating set KEYS[2] (same slot) and returns every
    /// member of KEYS[2]: this invalidation's, and those a failed one left behind.
    static let takeMembers = RedisScript(
        source:
            "if redis.call('exists', KEYS[1]) == 1 then redis.call('sunionstore', KEYS[2], KEYS[1], "
            + "KEYS[2]) redis.call('del', KEYS[1]) end return redis.call('smembers', KEYS[2])",
        sha1: "bdd0e7a4c7b19e34d1027f9e86a0d0887fd7fb5d"
    )
}
