import CacheLayer

/// The commands the cache operations send and how their replies read, shared by the single-node and cluster
/// backends (which differ only in where a command goes).
enum CacheCommands {
    static func get(_ key: [UInt8]) -> RedisCommand {
        RedisCommand([RedisCommand.Word.get, key]).idempotent
    }

    static func mget(_ keys: [[UInt8]]) -> RedisCommand {
        RedisCommand([RedisCommand.Word.mget] + keys).idempotent
    }

    /// Not idempotent: a second DEL answers that nothing was removed.
    static func del(_ key: [UInt8]) -> RedisCommand {
        RedisCommand([RedisCommand.Word.del, key])
    }

    /// `SET key value [NX] [PX ms]`. Without NX it is idempotent (a second SET leaves the same value); with NX it
    /// is not (a second SET NX finds the first one's value and answers that nothing was written).
    static func set(_ key: [UInt8], _ value: [UInt8], ttl: Duration?, onlyIfAbsent: Bool) -> RedisCommand {
        var arguments: [[UInt8]] = [RedisCommand.Word.set, key, value]
        if onlyIfAbsent {
            arguments.append(RedisCommand.Word.nx)
        }
        if let ttl {
            // PX takes whole milliseconds; round up so an entry never lives shorter than asked.
            let milliseconds = max(1, (ttl.nanoseconds + 999_999) / 1_000_000)
            arguments.append(RedisCommand.Word.px)
            arguments.append(Array(String(milliseconds).utf8))
        }
        let command = RedisCommand(arguments)
        return onlyIfAbsent ? command : command.idempotent
    }

    /// Refuses a value larger than `maximum` before anything is sent. The message does not name the key: keys
    /// may be personal data, and error messages reach spans and logs whatever the key-capture setting.
    static func checkSize(_ value: [UInt8], maximum: Int) throws(CacheError) {
        guard value.count <= maximum else {
            throw CacheError(
                .valueTooLarge,
                "the value is \(value.count) bytes; the Redis backend accepts at most \(maximum) (maximumValueSize)"
            )
        }
    }

    /// The reply to GET: the value, or `nil` for a missing key (or one holding a guarded load's marker).
    static func value(_ reply: RedisReply) throws(CacheError) -> [UInt8]? {
        switch reply {
        case .bulk(let value): return PendingLoadMarker.isMarker(value) ? nil : value
        case .null: return nil
        case let other: throw other.unexpected("GET")
        }
    }

    /// The reply to MGET of `count` keys, in order.
    static func values(_ reply: RedisReply, count: Int) throws(CacheError) -> [[UInt8]?] {
        guard case .array(let elements) = reply, elements.count == count else { throw reply.unexpected("MGET") }
        var values: [[UInt8]?] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            switch element {
            case .bulk(let value): values.append(PendingLoadMarker.isMarker(value) ? nil : value)
            case .null: values.append(nil)
            default: throw reply.unexpected("MGET")
            }
        }
        return values
    }

    /// The reply to SET (`onlyIfAbsent` false: always written) or SET NX: whether the value was written.
    static func written(_ reply: RedisReply, onlyIfAbsent: Bool) throws(CacheError) -> Bool {
        switch reply {
        case .status: return true
        case .null where onlyIfAbsent: return false
        case let other: throw other.unexpected(onlyIfAbsent ? "SET NX" : "SET")
        }
    }

    /// The reply to DEL: whether a key was removed.
    static func removed(_ reply: RedisReply) throws(CacheError) -> Bool {
        guard case .integer(let removed) = reply else { throw reply.unexpected("DEL") }
        return removed > 0
    }
}
