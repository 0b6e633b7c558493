#if VaporSupport
import CacheLayerHTTP
import HTTPTypes
import NIOCore
import NIOHTTP1
import Vapor

/// Vapor's responses as the shared ``CacheLayerHTTP`` response cache reads and builds them.
enum VaporResponseAdapter: ResponseCacheAdapter {
    static func head(of response: Response) -> HTTPResponse {
        HTTPResponse(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headerFields: HTTPFields(vaporHeaders: response.headers)
        )
    }

    static func marked(_ response: Response, _ status: CacheStatus) -> Response {
        response.headers.replaceOrAdd(name: "X-Cache", value: status.rawValue)
        return response
    }

    static func removing(_ names: [HTTPField.Name], from response: Response) -> Response {
        for name in names { response.headers.remove(name: name.rawName) }
        return response
    }

    /// Vapor lets a streamed body be read only whole (`collect(on:)`), without a bound: such bodies are not read.
    static func canReadBody(of response: Response) -> Bool {
        response.body.buffer != nil || response.body.count == 0
    }

    static func bodyLength(of response: Response) -> Int? {
        response.body.count
    }

    static func collectBody(of response: Response, into collector: BodyCollector) async throws -> Response {
        // The body is in memory already (``canReadBody(of:)``), and of the declared length: one write, and the
        // response is sent as it is.
        do {
            try collector.write(response.body.buffer ?? ByteBuffer())
        } catch  where collector.overran {
            return response
        }
        collector.finish(nil)
        return response
    }

    /// Never called: Vapor bodies of unknown length are streams, which ``canReadBody(of:)`` refuses.
    static func forwardingBody(of response: Response, copying copy: StreamedBodyCopy) -> Response {
        response
    }

    static func response(_ head: HTTPResponse, body: ByteBuffer, forHEAD: Bool) -> Response {
        Self.response(
            status: head.status, headers: HTTPHeaders(httpFields: head.headerFields), body: body, forHEAD: forHEAD)
    }

    /// Builds Vapor's headers from the stored fields at once, rather than through a marked `HTTPFields` copy.
    static func response(
        replaying cached: CachedResponse, status: CacheStatus, age: Duration?, forHEAD: Bool
    ) -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(cached.headers.count + 2)
        for field in cached.headers where field.name != .xCache && (age == nil || field.name != .age) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: HTTPField.Name.xCache.rawName, value: status.rawValue)
        if let age {
            headers.add(name: HTTPField.Name.age.rawName, value: String(CachedResponse.wholeSeconds(age)))
        }
        return Self.response(status: cached.status, headers: headers, body: cached.body, forHEAD: forHEAD)
    }

    /// A response of `status` and `headers` with `body`, or for a HEAD request the GET's headers, its Content-Length
    /// included, without the body (set after the body, which sets it).
    private static func response(
        status: HTTPResponse.Status, headers: HTTPHeaders, body: ByteBuffer, forHEAD: Bool
    ) -> Response {
        let response = Response(
            status: HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase),
            headers: headers,
            body: forHEAD ? .empty : Response.Body(buffer: body)
        )
        if forHEAD { response.headers.replaceOrAdd(name: .contentLength, value: String(body.readableBytes)) }
        return response
    }

    static func markedError(_ error: any Error, _ status: CacheStatus) -> any Error {
        CacheStatusMarkedError(originalError: error, cacheStatus: status)
    }

    static func status(ofError error: any Error) -> HTTPResponse.Status? {
        (error as? any AbortError).map { HTTPResponse.Status(code: Int($0.status.code)) }
    }

    static func lockTimeoutError() -> any Error {
        Abort(.serviceUnavailable, reason: "another request is computing this response; try again")
    }

    static func loaderTimeoutError() -> any Error {
        Abort(.gatewayTimeout, reason: "the response took longer than its endpoint's hard timeout")
    }
}

extension HTTPFields {
    /// Vapor's headers as HTTP fields, in order; a field whose name HTTP does not allow is left out (NIO would not
    /// send it either).
    init(vaporHeaders headers: HTTPHeaders) {
        self.init()
        self.reserveCapacity(headers.count)
        for (name, value) in headers {
            guard let name = HTTPField.Name(name) else { continue }
            self.append(HTTPField(name: name, value: value))
        }
    }
}

extension HTTPHeaders {
    /// HTTP fields as Vapor's headers, in order.
    init(httpFields fields: HTTPFields) {
        self.init()
        self.reserveCapacity(fields.count + 2)  // and room for `X-Cache` and `Age`, added to a hit
        for field in fields {
            self.add(name: field.name.rawName, value: field.value)
        }
    }
}
#endif
