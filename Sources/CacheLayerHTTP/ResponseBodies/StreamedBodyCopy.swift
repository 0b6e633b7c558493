import HTTPTypes
import NIOCore

/// A body of unknown length, forwarded to the client as the handler writes it, with a copy kept for the cache.
///
/// The copy stops at the limit (the body goes on to the client whole). When the body ends well (every write
/// reached the client, `finish` was called, no trailing headers) within the limit, `store` gets the copy before
/// the end of the body is sent, so a client that has the whole response finds it stored. Otherwise `refuse` gets
/// why, once: ``NotStoredReason/tooLarge`` as soon as the copy overflows, ``NotStoredReason/trailers``, or
/// ``NotStoredReason/incomplete`` when the handler threw or the client went away. The framework's adapter wraps
/// its body writer around a ``StreamedBodyTee`` made for each write of the body.
package struct StreamedBodyCopy: Sendable {
    package let limit: Int
    package let store: @Sendable (ByteBuffer) async -> Void
    package let refuse: @Sendable (NotStoredReason) -> Void

    package init(
        limit: Int, store: @escaping @Sendable (ByteBuffer) async -> Void,
        refuse: @escaping @Sendable (NotStoredReason) -> Void
    ) {
        self.limit = limit
        self.store = store
        self.refuse = refuse
    }

    /// The copy's state for one write of the body.
    package func tee() -> StreamedBodyTee { StreamedBodyTee(copy: self) }
}

/// What one write of a streamed body has seen, and what becomes of its copy. A class, because frameworks consume
/// their body writers; it never leaves the task that writes the body.
package final class StreamedBodyTee {
    private let copy: StreamedBodyCopy
    private var bytes = ByteBuffer()
    /// Stored, or refused: nothing more to do.
    private var settled = false

    fileprivate init(copy: StreamedBodyCopy) {
        self.copy = copy
    }

    /// Adds `buffer` to the copy (before it is sent on), or gives the copy up when it would pass the limit.
    package func keep(_ buffer: ByteBuffer) {
        guard !self.settled else { return }
        guard buffer.readableBytes <= self.copy.limit - self.bytes.readableBytes else {
            self.settle(.tooLarge)
            return
        }
        var buffer = buffer
        self.bytes.writeBuffer(&buffer)
    }

    /// The body ends with `trailers`: the copy is stored, when whole and without trailers, before the end is sent
    /// on.
    package func finish(_ trailers: HTTPFields?) async {
        if trailers != nil {
            self.settle(.trailers)
        } else if !self.settled {
            self.settled = true
            let bytes = self.bytes
            self.bytes = ByteBuffer()
            await self.copy.store(bytes)
        }
    }

    /// The client went away, the handler threw, or the body returned without finishing: unless already settled,
    /// the copy is refused as ``NotStoredReason/incomplete``.
    package func endedBadly() {
        self.settle(.incomplete)
    }

    private func settle(_ reason: NotStoredReason) {
        guard !self.settled else { return }
        self.settled = true
        self.bytes = ByteBuffer()
        self.copy.refuse(reason)
    }
}
