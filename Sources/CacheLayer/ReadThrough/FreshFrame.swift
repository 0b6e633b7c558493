/// What a read without suspending found in the backend, handed on to the read-through that goes on from it.
package struct PrefetchedRead: Sendable {
    /// The stored bytes; `nil` for a miss.
    package let bytes: [UInt8]?
}

/// What ``Cache/readFreshFrameWithoutSuspending(key:ttl:policy:tags:)`` found.
package enum FreshFrameAttempt: Sendable {
    /// Fresh stored bytes: decode the value, then record the hit (``Cache/recordFreshHit(_:writtenAt:)``).
    case fresh(FreshFrame)
    /// The backend was read, and what it answered cannot be served at once (a miss, a stale value, a frame this
    /// version does not read): hand it to the read-through that follows.
    case read(PrefetchedRead)
    /// Nothing was read (a backend that must be asked asynchronously, failed removals waiting for replay, early
    /// refresh, bad input).
    case notRead
}

/// Stored bytes a read without suspending found fresh, not yet decoded nor recorded.
package struct FreshFrame: Sendable {
    /// The stored bytes, frame included: the backend's own storage for the in-memory tier, so the identity a memo of
    /// decoded values keys on (``DecodedValueMemo``).
    package let bytes: [UInt8]
    /// Where the value begins in ``bytes``.
    let valueOffset: Int
    /// When the value was written, if the frame says.
    package let writtenAt: Duration?
    /// The key read, for the hit's span.
    let key: CacheKey

    /// The stored value: ``bytes`` after the frame (a copy, unless there is no frame).
    package var value: [UInt8] { StoredFrame.value(in: self.bytes, at: self.valueOffset) }

    /// What was read, for the read-through that goes on when the value is not served (it does not decode).
    package var prefetched: PrefetchedRead { PrefetchedRead(bytes: self.bytes) }
}
