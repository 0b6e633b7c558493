import CacheLayer

/// Where tag and guarded-load commands go: the one server, or the master of each key's hash slot.
protocol RedisKeyRouting: Sendable {
    var keyLayout: RedisKeyLayout { get }
    /// Sends `command`, whose keys all share `key`'s hash slot, to the server that holds `key`.
    func execute(_ command: RedisCommand, key: [UInt8]) async throws(CacheError) -> RedisReply
    /// Unlinks `keys`, which may lie in many hash slots.
    func unlink(_ keys: [[UInt8]]) async throws(CacheError)
}

/// Tags and guarded loads on Redis, shared by the single-node and cluster backends.
///
/// - A tag is a set of Redis keys (``RedisKeyLayout/tagKey(_:)``) in the tag's own hash slot. A tagged write adds
///   its key to each tag's set, then writes the value; reads never look at tags (a tagged read costs what an
///   untagged one does). The set expires no sooner than its longest-lived member, so it never outlives its
///   entries by much.
/// - A guarded load writes a pending-load marker at its key (or takes the SHA-1 of the live value it refreshes),
///   adds the key to its tags' sets, and only then runs the loader; its store is a script that writes only if the
///   key still holds that marker or value. A DEL, a namespace flush or a tag invalidation in between removes it, so
///   the store is refused: removal wins, across processes, with every step on one key's (or one tag's) node.
/// - An invalidation moves the tag's members into the tag's invalidating set (one script), unlinks them, then
///   removes them from that set: if it fails half-way, the members are still there for the next invalidation of
///   the tag (which the cache replays).
enum RedisTagging {
    /// Adds `key` to the set of each of `tags`, which then lives at least `lifetime` (`nil`: for ever).
    static func addMember(
        _ router: some RedisKeyRouting, _ key: [UInt8], to tags: [CacheTag], lifetime: Duration?
    ) async throws(CacheError) {
        let lifetime = lifetime.map(Self.milliseconds) ?? []
        for tag in tags {
            let tagKey = router.keyLayout.tagKey(tag)
            _ = try await TaggingScripts.addMember.run(keys: [tagKey], arguments: [lifetime, key]) {
                (command) throws(CacheError) in try await router.execute(command, key: tagKey)
            }
        }
    }

    /// A tagged write: the key joins its tags' sets before the value is written.
    static func set(
        _ router: some RedisKeyRouting, _ key: [UInt8], _ value: [UInt8], ttl: Duration?, tags: [CacheTag],
        maximumValueSize: Int
    ) async throws(CacheError) {
        try CacheCommands.checkSize(value, maximum: maximumValueSize)
        try await Self.addMember(router, key, to: tags, lifetime: ttl)
        let command = CacheCommands.set(key, value, ttl: ttl, onlyIfAbsent: false)
        _ = try CacheCommands.written(await router.execute(command, key: key), onlyIfAbsent: false)
    }

    /// Starts a guarded load: marker (or the live value's SHA-1), then the tags' sets, which live at least the
    /// value's longest TTL plus the window (the value is written up to a window after this).
    static func beginLoad(
        _ router: some RedisKeyRouting, _ key: [UInt8], tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        let reply = try await TaggingScripts.beginLoad.run(
            keys: [key], arguments: [PendingLoadMarker.make(), Self.milliseconds(window), PendingLoadMarker.prefix]
        ) { (command) throws(CacheError) in try await router.execute(command, key: key) }
        guard case .bulk(let token) = reply, !token.isEmpty else { throw reply.unexpected("EVALSHA (begin load)") }
        try await Self.addMember(router, key, to: tags, lifetime: ttl.map { $0 + window })
        return CacheLoadToken(bytes: token)
    }

    /// Stores a guarded load's value if its key still holds what the token names.
    static func finishLoad(
        _ router: some RedisKeyRouting, _ key: [UInt8], _ value: [UInt8], ttl: Duration?, token: CacheLoadToken,
        maximumValueSize: Int
    ) async throws(CacheError) -> Bool {
        try CacheCommands.checkSize(value, maximum: maximumValueSize)
        // Not a token of ours (the default implementation's): nothing to check it against, so nothing is stored.
        guard !token.bytes.isEmpty else { return false }
        let reply = try await TaggingScripts.finishLoad.run(
            keys: [key], arguments: [token.bytes, value, ttl.map(Self.milliseconds) ?? []]
        ) { (command) throws(CacheError) in try await router.execute(command, key: key) }
        guard case .integer(let stored) = reply else { throw reply.unexpected("EVALSHA (finish load)") }
        return stored == 1
    }

    /// Whether a guarded load that stores nothing would have stored: its key still holds what the token names.
    static func endLoad(
        _ router: some RedisKeyRouting, _ key: [UInt8], token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        guard !token.bytes.isEmpty else { return false }
        // It writes nothing: a dropped connection may send it again.
        let reply = try await TaggingScripts.endLoad.run(keys: [key], arguments: [token.bytes], idempotent: true) {
            (command) throws(CacheError) in try await router.execute(command, key: key)
        }
        guard case .integer(let intact) = reply else { throw reply.unexpected("EVALSHA (end load)") }
        return intact == 1
    }

    /// Removes every member of each tag, one tag after the other.
    static func invalidate(_ router: some RedisKeyRouting, tags: [CacheTag]) async throws(CacheError) {
        for tag in tags {
            let tagKey = router.keyLayout.tagKey(tag)
            let invalidating = router.keyLayout.invalidatingTagKey(tag)
            let reply = try await TaggingScripts.takeMembers.run(keys: [tagKey, invalidating], arguments: []) {
                (command) throws(CacheError) in try await router.execute(command, key: tagKey)
            }
            guard case .array(let elements) = reply else { throw reply.unexpected("EVALSHA (take members)") }
            let members = elements.compactMap { element -> [UInt8]? in
                if case .bulk(let member) = element { return member }
                return nil
            }
            var start = 0
            while start < members.count {
                let batch = Array(members[start..<min(start + 1000, members.count)])
                try await router.unlink(batch)
                _ = try await router.execute(
                    RedisCommand([Array("SREM".utf8), invalidating] + batch), key: invalidating)
                start += batch.count
            }
        }
    }

    /// Whole milliseconds, rounded up (at least 1), as PX and PEXPIRE take them.
    static func milliseconds(_ duration: Duration) -> [UInt8] {
        Array(String(max(1, (duration.nanoseconds + 999_999) / 1_000_000)).utf8)
    }
}
