/// What a read-through's attempt to answer without suspending found (``Cache/readFreshWithoutSuspending(key:ttl:policy:tags:coding:)``).
package enum FreshReadAttempt<Value: Sendable>: Sendable {
    /// A fresh value, served and recorded as a hit.
    case fresh(Value)
    /// The backend was read, and what it answered cannot be served at once (a miss, a stale or undecodable value):
    /// hand it to the read-through that follows, so that the backend is not read twice.
    case read(PrefetchedRead)
    /// Nothing was read (a backend that must be asked asynchronously, failed removals waiting for replay, early
    /// refresh, bad input).
    case notRead
}

/// What a read without suspending found in the backend, handed on to the read-through that goes on from it.
package struct PrefetchedRead: Sendable {
    /// The stored bytes; `nil` for a miss.
    package let bytes: [UInt8]?
}
