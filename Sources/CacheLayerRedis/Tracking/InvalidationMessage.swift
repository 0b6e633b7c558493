/// What arrives on an invalidation connection (RESP2, subscribed to `__redis__:invalidate`), read from a reply.
///
/// Redis sends `message __redis__:invalidate <keys>` with an array of the keys that changed (one or more), or with a
/// null when the whole database was flushed (`FLUSHDB`, `FLUSHALL`). A `PING` on a subscribed connection answers
/// `pong ""`; `SUBSCRIBE` answers `subscribe <channel> <count>`.
enum InvalidationMessage: Equatable {
    /// These keys (full Redis keys, with the key prefix) changed, expired or were evicted.
    case keys([[UInt8]])
    /// The server flushed its data: every key may have changed.
    case flushAll
    /// The answer to a heartbeat `PING`.
    case pong
    /// The answer to `SUBSCRIBE`.
    case subscribed
    /// Anything else (another channel's message, an unexpected reply): ignored.
    case other

    static let channel = Array("__redis__:invalidate".utf8)

    init(_ reply: RedisReply) {
        guard case .array(let parts) = reply, parts.count >= 2, case .bulk(let kind) = parts[0] else {
            self = .other
            return
        }
        switch String(decoding: kind, as: UTF8.self) {
        case "message" where parts.count == 3 && parts[1] == .bulk(Self.channel):
            switch parts[2] {
            case .null:
                self = .flushAll
            case .array(let elements):
                self = .keys(
                    elements.compactMap { element in
                        if case .bulk(let key) = element { return key }
                        return nil
                    })
            case .bulk(let key):
                self = .keys([key])
            default:
                self = .other
            }
        case "pong":
            self = .pong
        case "subscribe":
            self = .subscribed
        default:
            self = .other
        }
    }
}
