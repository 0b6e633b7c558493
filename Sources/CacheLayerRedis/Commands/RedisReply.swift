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
        return base.withMemoryRebound(to: UInt8.self, capacity: count) {
            Array(UnsafeBufferPointer(start: $0, count: count))
        }
    }

    /// Turns an error reply into a typed error naming the command; any other reply is returned unchanged.
    ///
    /// The message keeps the server's words only up to the first quoted argument: Redis quotes what it echoes
    /// (`ERR unknown command 'GET', with args beginning with: 'key' `), and an echoed key must not reach spans
    /// and logs, where keys obey the key-capture setting. The error prefix (`WRONGTYPE`, `NOAUTH`...) is in
    /// ``CacheLayer/CacheError/responseStatusCode``.
    func checked(_ command: String) throws(CacheError) -> RedisReply {
        guard case .error(let message) = self else { return self }
        let prefix = message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
        throw CacheError(
            .backendError,
            "Redis answered \(command) with: \(Self.withoutQuotedArguments(message))",
            responseStatusCode: prefix
        )
    }

    /// An unexpected reply to `command`, as a typed error naming the reply's kind, never its contents (a value,
    /// or a key).
    func unexpected(_ command: String) -> CacheError {
        CacheError(.backendError, "unexpected reply to \(command): \(self.kind)")
    }

    /// What kind of reply this is, without its contents.
    var kind: String {
        switch self {
        case .bulk(let bytes): "a bulk string of \(bytes.count) bytes"
        case .null: "a null"
        case .integer: "an integer"
        case .status: "a status"
        case .error: "an error"
        case .array(let elements): "an array of \(elements.count) elements"
        }
    }

    /// `message` cut before its first quoted part: a `'` or `"` at its start or after a space, `:`, `(` or `=`
    /// (so the apostrophe of "don't" stays). Redis quotes the arguments it echoes back.
    static func withoutQuotedArguments(_ message: String) -> String {
        let bytes = Array(message.utf8)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
            let before = index == 0 ? UInt8(ascii: " ") : bytes[index - 1]
            if before == UInt8(ascii: " ") || before == UInt8(ascii: ":") || before == UInt8(ascii: "(")
                || before == UInt8(ascii: "=")
            {
                var kept = String(decoding: bytes[..<index], as: UTF8.self)
                while kept.last == " " || kept.last == "," || kept.last == ":" {
                    kept.removeLast()
                }
                return kept + " [quoted arguments omitted]"
            }
        }
        return message
    }
}
