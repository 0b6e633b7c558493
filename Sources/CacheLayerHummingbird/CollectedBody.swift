import HTTPTypes
import Hummingbird
import NIOCore

/// A response body read whole into one buffer, so that it can be stored, and still sent.
struct CollectedBody {
    var bytes: ByteBuffer
    var trailers: HTTPFields?

    /// The body to send in place of the one that was read: the same bytes and trailing headers.
    var responseBody: ResponseBody {
        guard let trailers = self.trailers else { return ResponseBody(byteBuffer: self.bytes) }
        let bytes = self.bytes
        return ResponseBody(contentLength: bytes.readableBytes) { writer in
            try await writer.write(bytes)
            try await writer.finish(trailers)
        }
    }

    /// Reads `body` to its end.
    static func collect(_ body: ResponseBody) async throws -> CollectedBody {
        let sink = Sink()
        try await body.write(Writer(sink: sink))
        return CollectedBody(bytes: sink.bytes, trailers: sink.trailers)
    }

    /// Where the writer puts what it is given. A class, because `ResponseBody.write` consumes the writer; it never
    /// leaves the task that collects the body.
    private final class Sink {
        var bytes = ByteBuffer()
        var trailers: HTTPFields?
    }

    private struct Writer: ResponseBodyWriter {
        let sink: Sink

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            self.sink.bytes.writeBuffer(&buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            self.sink.trailers = trailingHeaders
        }
    }
}
