import CHiredis
import CacheLayer

/// A Redis reply (RESP2), copied out of hiredis's reply object so it outlives it.
enum RedisReply: Sendable, Equatable {
    case bulk([UInt8])
    case null
    case integer(Int64)
    case status(String)
    case error(String)
    case array([RedisReply])

    /// Copies a hiredis reply tree.
    init(_ reply: UnsafePointer<redisReply>) {
        let type = reply.pointee.type
        switch type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(reply))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(reply.pointee.integer))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(reply), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(reply), as: UTF8.self))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(reply.pointee.elements))
            for index in 0..<Int(reply.pointee.elements) {
                if let element = reply.pointee.element[index] {
                    elements.append(RedisReply(element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }

    private static func bytes(_ reply: UnsafePointer<redisReply>) -> [UInt8] {
        let count = Int(reply.pointee.len)
        guard count > 0, let base = reply.pointee.str else { return [] }
        return base.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// Turns an error reply into a typed error naming the command; any other reply is returned unchanged.
    func checked(_ command: String) throws(CacheError) -> RedisReply {
        guard case .error(let message) = self else { return self }
        let prefix = message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
        throw CacheError(.backendError, "Redis answered \(command) with: \(message)", responseStatusCode: prefix)
    }

    /// An unexpected reply to `command`, as a typed error.
    func unexpected(_ command: String) -> CacheError {
        CacheError(.backendError, "unexpected reply to \(command): \(self)")
    }
}
