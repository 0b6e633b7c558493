import HTTPTypes
import NIOCore

/// What the framework-neutral ``ResponseCache`` needs from a web framework: how to read its responses, build one,
/// and mark its errors. Each framework's middleware is a thin adapter of this shape.
package protocol ResponseCacheAdapter: Sendable {
    /// The framework's response.
    associatedtype Response: Sendable

    /// The status and header fields of `response`.
    static func head(of response: Response) -> HTTPResponse

    /// `response`, its `X-Cache` header set to `status`.
    static func marked(_ response: Response, _ status: CacheStatus) -> Response

    /// Whether the cache can read `response`'s body as it is written (to collect or copy it). A framework that only
    /// lets a streamed body be read whole, without a bound, says `false` for it: such a response is sent as it is,
    /// and not stored (``NotStoredReason/streamed``).
    static func canReadBody(of response: Response) -> Bool

    /// The length of `response`'s body as the body itself knows it; `nil` for a body of unknown length (a stream).
    static func bodyLength(of response: Response) -> Int?

    /// Writes `response`'s body into `collector`, to its end or until the collector stops it, and returns the
    /// response to send in its place: the same bytes and trailing headers, under the same declared length (a body
    /// that overran sends its declared bytes, then fails).
    static func collectBody(of response: Response, into collector: BodyCollector) async throws -> Response

    /// `response`, its body forwarded to the client as it is written and copied on the way through `copy`.
    static func forwardingBody(of response: Response, copying copy: StreamedBodyCopy) -> Response

    /// `response` without the header fields named `names` (every field of each).
    static func removing(_ names: [HTTPField.Name], from response: Response) -> Response

    /// A response of `head` with `body`, or without a body for a HEAD request.
    static func response(_ head: HTTPResponse, body: ByteBuffer, forHEAD: Bool) -> Response

    /// The response that replays `cached`: its status, headers and body (none for a HEAD request), `X-Cache` set to
    /// `status` and, when `age` is given, `Age` to its whole seconds (``CachedResponse/head(status:age:)``). The
    /// default builds it through ``response(_:body:forHEAD:)``; a framework whose headers are not `HTTPFields` can
    /// build its own directly.
    static func response(
        replaying cached: CachedResponse, status: CacheStatus, age: Duration?, forHEAD: Bool
    )
        -> Response

    /// `error`, thrown by the handler, the router or the cache, as the framework should see it, its response
    /// marked with `X-Cache: status`.
    static func markedError(_ error: any Error, _ status: CacheStatus) -> any Error

    /// The status the framework answers `error` with, when the error says (`nil`: a 500).
    static func status(ofError error: any Error) -> HTTPResponse.Status?

    /// The error a request gets when it waited for the lock of another computing its response and the lock policy
    /// says to fail (a 503).
    static func lockTimeoutError() -> any Error

    /// The error a request gets when the handler (its own, or the one whose response it waited for) outlasted the
    /// endpoint's hard timeout and no stored response could answer instead (a 504).
    static func loaderTimeoutError() -> any Error
}

extension ResponseCacheAdapter {
    package static func response(
        replaying cached: CachedResponse, status: CacheStatus, age: Duration?, forHEAD: Bool
    ) -> Response {
        Self.response(cached.head(status: status, age: age), body: cached.body, forHEAD: forHEAD)
    }
}
