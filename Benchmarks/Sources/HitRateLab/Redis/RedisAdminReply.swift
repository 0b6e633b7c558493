/// A reply to an administrative command (error replies are thrown, not returned).
public enum RedisAdminReply: Sendable, Hashable {
    /// A bulk string or a status such as `OK`.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// No value.
    case null
    /// An array's elements, flattened one level (SCAN's `[cursor, [keys...]]` becomes `[cursor, keys...]`).
    case array([String])
}
