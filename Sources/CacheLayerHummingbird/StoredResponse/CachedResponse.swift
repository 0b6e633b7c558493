import CacheLayer
import HTTPTypes
import Hummingbird
import NIOCore

/// A response as the cache stores it: status, the headers worth replaying, the whole body, and when it was stored.
struct CachedResponse: Sendable, Equatable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
    /// When it was stored, on the cache's freshness clock (time since the Unix epoch): what `Age` counts from.
    var storedAt: Duration

    /// The response to send: the stored one, with `X-Cache` and, for a cache hit, `Age`. A HEAD request gets the
    /// headers without the body.
    func response(status cacheStatus: CacheStatus, age: Duration?, head: Bool) -> Response {
        var headers = self.headers
        headers[.xCache] = cacheStatus.rawValue
        if let age {
            headers[.age] = String(Self.wholeSeconds(age))
        }
        let response = Response(status: self.status, headers: headers, body: ResponseBody(byteBuffer: self.body))
        return head ? response.createHeadResponse() : response
    }

    /// `age` in whole seconds, 0 when negative (a stored time in the future), without trapping on an age too long
    /// for `Duration.components` (a stored time read back from hostile bytes).
    static func wholeSeconds(_ age: Duration) -> Int64 {
        guard age > .zero else { return 0 }
        guard age < .seconds(Int64.max) else { return Int64.max }
        return age.components.seconds
    }
}

/// The value of the `X-Cache` response header.
public enum CacheStatus: String, Sendable, Hashable {
    /// Served from the cache, fresh.
    case hit = "HIT"
    /// Not in the cache (or being refreshed by this request): the handler's response, or one it shared with
    /// concurrent identical requests.
    case miss = "MISS"
    /// Served from the cache past its time-to-live, within the endpoint's grace period, while another request
    /// refreshes it.
    case stale = "STALE"
    /// Not cacheable: no boundary matches, the boundary excludes the request (a deep page, an uncommon filter, a
    /// personalised request, ...), or the method is not GET or HEAD.
    case bypass = "BYPASS"
}

extension HTTPField.Name {
    /// `X-Cache`: whether the cache served the response.
    static let xCache = HTTPField.Name("X-Cache")!
}
