import HTTPTypes
import Hummingbird
import NIOCore

/// A response body of declared length read whole into one buffer, so that it can be stored, and still sent.
///
/// Reading stops at the declared length: a body that writes more is cut off there (its bytes so far are kept and
/// replayed, then the replay fails, as the body would have broken its framing), so a lying body cannot make the
/// cache buffer without bound.
struct CollectedBody {
    var bytes: ByteBuffer
    var trailers: HTTPFields?
    /// The length the response declared.
    let declaredLength: Int
    /// Whether the body went on writing past its declared length (and was stopped).
    var overran = false
    /// Whether the body returned without finishing (no `finish` call): it is replayed the same way.
    var finished = false

    /// Whether the body is whole, as declared: neither shorter nor longer, finished, without trailers.
    var isExact: Bool {
        !self.overran && self.finished && self.bytes.readableBytes == self.declaredLength
    }

    /// The body to send in place of the one that was read: the same bytes and trailing headers, under the same
    /// declared length. A body that overran sends its declared bytes, then fails (the server closes the
    /// connection, as it would have had to for the extra bytes).
    var responseBody: ResponseBody {
        if self.isExact && self.trailers == nil { return ResponseBody(byteBuffer: self.bytes) }
        let collected = self
        return ResponseBody(contentLength: self.declaredLength) { writer in
            try await writer.write(collected.bytes)
            if collected.overran { throw LongerThanDeclared(declaredLength: collected.declaredLength) }
            if collected.finished { try await writer.finish(collected.trailers) }
        }
    }

    /// The body wrote more than its `Content-Length`.
    struct LongerThanDeclared: Error, CustomStringConvertible {
        let declaredLength: Int
        var description: String { "the response body is longer than its Content-Length (\(self.declaredLength) bytes)" }
    }

    /// Reads `body`, which declares `declaredLength` bytes, to its end or until it writes more than that.
    static func collect(_ body: ResponseBody, declaredLength: Int) async throws -> CollectedBody {
        let sink = Sink(declaredLength: declaredLength)
        do {
            try await body.write(Writer(sink: sink))
        } catch  where sink.overran {
            // Our own stop, passed back (perhaps wrapped) through the handler's body.
        }
        return CollectedBody(
            bytes: sink.bytes,
            trailers: sink.trailers,
            declaredLength: declaredLength,
            overran: sink.overran,
            finished: sink.finished
        )
    }

    /// Where the writer puts what it is given. A class, because `ResponseBody.write` consumes the writer; it never
    /// leaves the task that collects the body.
    private final class Sink {
        let declaredLength: Int
        var bytes = ByteBuffer()
        var trailers: HTTPFields?
        var overran = false
        var finished = false

        init(declaredLength: Int) {
            self.declaredLength = declaredLength
        }
    }

    private struct Writer: ResponseBodyWriter {
        let sink: Sink

        mutating func write(_ buffer: ByteBuffer) async throws {
            guard !self.sink.overran else { throw LongerThanDeclared(declaredLength: self.sink.declaredLength) }
            guard buffer.readableBytes <= self.sink.declaredLength - self.sink.bytes.readableBytes else {
                // Keep what fits, and stop the body: the rest would never be stored or sent.
                var fitting = buffer.getSlice(
                    at: buffer.readerIndex,
                    length: self.sink.declaredLength - self.sink.bytes.readableBytes
                )!
                self.sink.bytes.writeBuffer(&fitting)
                self.sink.overran = true
                throw LongerThanDeclared(declaredLength: self.sink.declaredLength)
            }
            var buffer = buffer
            self.sink.bytes.writeBuffer(&buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            self.sink.trailers = trailingHeaders
            self.sink.finished = true
        }
    }
}
