import HTTPTypes
import NIOCore

/// A response as the cache stores it: status, the headers worth replaying, the whole body, and when it was stored.
package struct CachedResponse: Sendable, Equatable {
    package var status: HTTPResponse.Status
    package var headers: HTTPFields
    package var body: ByteBuffer
    /// When it was stored, on the cache's freshness clock (time since the Unix epoch): what `Age` counts from.
    package var storedAt: Duration

    package init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer, storedAt: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.storedAt = storedAt
    }

    /// The status and headers to send: the stored ones, with `X-Cache` and, for a cache hit, `Age`.
    package func head(status cacheStatus: CacheStatus, age: Duration?) -> HTTPResponse {
        var headers = self.headers
        headers[.xCache] = cacheStatus.rawValue
        if let age {
            headers[.age] = String(Self.wholeSeconds(age))
        }
        return HTTPResponse(status: self.status, headerFields: headers)
    }

    /// `age` in whole seconds, 0 when negative (a stored time in the future), without trapping on an age too long
    /// for `Duration.components` (a stored time read back from hostile bytes).
    package static func wholeSeconds(_ age: Duration) -> Int64 {
        guard age > .zero else { return 0 }
        guard age < .seconds(Int64.max) else { return Int64.max }
        return age.components.seconds
    }
}
