import CacheLayerHTTP
import HTTPTypes
import Hummingbird
import NIOCore

/// Hummingbird's responses as the shared ``CacheLayerHTTP`` response cache reads and builds them.
enum HummingbirdResponseAdapter: ResponseCacheAdapter {
    static func head(of response: Response) -> HTTPResponse {
        HTTPResponse(status: response.status, headerFields: response.headers)
    }

    static func marked(_ response: Response, _ status: CacheStatus) -> Response {
        var response = response
        response.headers[.xCache] = status.rawValue
        return response
    }

    static func removing(_ names: [HTTPField.Name], from response: Response) -> Response {
        var response = response
        for name in names { response.headers[name] = nil }
        return response
    }

    static func canReadBody(of response: Response) -> Bool { true }

    static func bodyLength(of response: Response) -> Int? {
        response.body.contentLength
    }

    static func collectBody(of response: Response, into collector: BodyCollector) async throws -> Response {
        do {
            try await response.body.write(CollectingWriter(collector: collector))
        } catch  where collector.overran {
            // The collector's own stop, passed back (perhaps wrapped) through the handler's body.
        }
        var response = response
        response.body = Self.replay(collector.result)
        return response
    }

    static func forwardingBody(of response: Response, copying copy: StreamedBodyCopy) -> Response {
        var response = response
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            let tee = copy.tee()
            do {
                try await body.write(TeeWriter(downstream: writer, tee: tee))
            } catch {
                tee.endedBadly()
                throw error
            }
            // A body that returned without finishing never ended well.
            tee.endedBadly()
        }
        return response
    }

    static func response(_ head: HTTPResponse, body: ByteBuffer, forHEAD: Bool) -> Response {
        let response = Response(status: head.status, headers: head.headerFields, body: ResponseBody(byteBuffer: body))
        return forHEAD ? response.createHeadResponse() : response
    }

    static func markedError(_ error: any Error, _ status: CacheStatus) -> any Error {
        CacheStatusMarkedError(originalError: error, cacheStatus: status)
    }

    static func status(ofError error: any Error) -> HTTPResponse.Status? {
        (error as? any HTTPResponseError)?.status
    }

    static func lockTimeoutError() -> any Error {
        HTTPError(.serviceUnavailable, message: "another request is computing this response; try again")
    }

    static func loaderTimeoutError() -> any Error {
        HTTPError(.gatewayTimeout, message: "the response took longer than its endpoint's hard timeout")
    }

    /// The body to send in place of a collected one: the same bytes and trailing headers, under the same declared
    /// length. A body that overran sends its declared bytes, then fails (the server closes the connection, as it
    /// would have had to for the extra bytes).
    private static func replay(_ collected: CollectedBody) -> ResponseBody {
        if collected.isPlain { return ResponseBody(byteBuffer: collected.bytes) }
        return ResponseBody(contentLength: collected.declaredLength) { writer in
            try await writer.write(collected.bytes)
            if collected.overran { throw CollectedBody.LongerThanDeclared(declaredLength: collected.declaredLength) }
            if collected.finished { try await writer.finish(collected.trailers) }
        }
    }

    /// Hands a body's writes to a ``CacheLayerHTTP/BodyCollector``.
    private struct CollectingWriter: ResponseBodyWriter {
        let collector: BodyCollector

        mutating func write(_ buffer: ByteBuffer) async throws {
            try self.collector.write(buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            self.collector.finish(trailingHeaders)
        }
    }

    /// Sends a body's writes on to the client, copying them on the way.
    private struct TeeWriter: ResponseBodyWriter {
        var downstream: any ResponseBodyWriter
        let tee: StreamedBodyTee

        mutating func write(_ buffer: ByteBuffer) async throws {
            self.tee.keep(buffer)
            do {
                try await self.downstream.write(buffer)
            } catch {
                // The client has gone: whatever the handler does next, this body is not whole.
                self.tee.endedBadly()
                throw error
            }
        }

        mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
            for buffer in buffers { self.tee.keep(buffer) }
            do {
                try await self.downstream.write(contentsOf: buffers)
            } catch {
                self.tee.endedBadly()
                throw error
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            await self.tee.finish(trailingHeaders)
            try await self.downstream.finish(trailingHeaders)
        }
    }
}
