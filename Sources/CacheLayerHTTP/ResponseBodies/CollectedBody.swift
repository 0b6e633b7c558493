import HTTPTypes
import NIOCore

/// A response body of declared length read whole into one buffer, so that it can be stored, and still sent.
///
/// Reading stops at the declared length: a body that writes more is cut off there (its bytes so far are kept and
/// replayed, then the replay fails, as the body would have broken its framing), so a lying body cannot make the
/// cache buffer without bound. The framework's adapter drives a ``BodyCollector`` with the body's writes and
/// builds the body to send in its place from the result.
package struct CollectedBody: Sendable {
    package var bytes: ByteBuffer
    package var trailers: HTTPFields?
    /// The length the response declared.
    package let declaredLength: Int
    /// Whether the body went on writing past its declared length (and was stopped).
    package var overran = false
    /// Whether the body returned without finishing (no `finish` call): it is replayed the same way.
    package var finished = false

    /// Whether the body is whole, as declared: neither shorter nor longer, finished, without trailers.
    package var isExact: Bool {
        !self.overran && self.finished && self.bytes.readableBytes == self.declaredLength
    }

    /// Whether the bytes alone replay the body: it is exact and has no trailing headers.
    package var isPlain: Bool { self.isExact && self.trailers == nil }

    /// The body wrote more than its `Content-Length`.
    package struct LongerThanDeclared: Error, CustomStringConvertible {
        package let declaredLength: Int

        package init(declaredLength: Int) {
            self.declaredLength = declaredLength
        }

        package var description: String {
            "the response body is longer than its Content-Length (\(self.declaredLength) bytes)"
        }
    }
}

/// Where a body's writes go while it is collected. A class, because frameworks consume their body writers; it
/// never leaves the task that collects the body.
package final class BodyCollector {
    private var collected: CollectedBody

    package init(declaredLength: Int) {
        self.collected = CollectedBody(bytes: ByteBuffer(), trailers: nil, declaredLength: declaredLength)
    }

    /// What was collected so far.
    package var result: CollectedBody { self.collected }

    /// Whether the body overran its declared length: an error thrown out of the body then is the collector's own
    /// stop, passed back through the handler's body.
    package var overran: Bool { self.collected.overran }

    /// Adds `buffer`, or keeps what fits and stops the body when it passes the declared length.
    /// - Throws: ``CollectedBody/LongerThanDeclared`` to stop the body.
    package func write(_ buffer: ByteBuffer) throws {
        let declared = self.collected.declaredLength
        guard !self.collected.overran else { throw CollectedBody.LongerThanDeclared(declaredLength: declared) }
        let room = declared - self.collected.bytes.readableBytes
        guard buffer.readableBytes <= room else {
            // Keep what fits, and stop the body: the rest would never be stored or sent.
            var fitting = buffer.getSlice(at: buffer.readerIndex, length: room)!
            self.collected.bytes.writeBuffer(&fitting)
            self.collected.overran = true
            throw CollectedBody.LongerThanDeclared(declaredLength: declared)
        }
        var buffer = buffer
        self.collected.bytes.writeBuffer(&buffer)
    }

    /// The body ended, with `trailers`.
    package func finish(_ trailers: HTTPFields?) {
        self.collected.trailers = trailers
        self.collected.finished = true
    }
}
