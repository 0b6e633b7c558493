/// Why the response to a cacheable request was not stored. Low-cardinality: the `reason` dimension of
/// `cache.responses_not_stored` and the request span's `cache.decision`.
public struct NotStoredReason: Sendable, Hashable, CustomStringConvertible {
    /// The stable name.
    public let name: String
    private init(_ name: String) { self.name = name }

    /// The status is not one of the middleware's `cacheableStatuses` (200 by default).
    public static let status = NotStoredReason("status")
    /// `Cache-Control: no-store` or `no-cache`.
    public static let noStore = NotStoredReason("no_store")
    /// `Cache-Control: private`: the response is for one user.
    public static let `private` = NotStoredReason("private")
    /// The response sets a cookie, which must not reach anyone else.
    public static let setCookie = NotStoredReason("set_cookie")
    /// `Vary: *`, or `Vary` names a request header that the endpoint's key does not include.
    public static let vary = NotStoredReason("vary")
    /// The body is larger than the middleware's `maximumBodySize`.
    public static let tooLarge = NotStoredReason("too_large")
    /// The body ends with trailing headers, which the cache does not replay.
    public static let trailers = NotStoredReason("trailers")
    /// A HEAD request's response has no body to store (a GET of the same resource fills the cache for both).
    public static let head = NotStoredReason("head")
    /// The body's length is not what the response declares (`Content-Length` or the body's own length): more
    /// bytes, fewer, or a header that disagrees with the body.
    public static let lengthMismatch = NotStoredReason("length_mismatch")
    /// The body did not end well: the handler threw while writing it, or the client went away before its end.
    public static let incomplete = NotStoredReason("incomplete")
    /// Storing failed (the backend is down, with ``CacheLayer/Cache/Configuration/failOpen`` off): the handler's
    /// response is sent all the same.
    public static let storeFailed = NotStoredReason("store_failed")
    /// The body is a stream that the framework lets the cache read only whole, without a bound (Vapor's streamed
    /// bodies): it is sent as it is.
    public static let streamed = NotStoredReason("streamed")

    /// The response's `Cache-Tag` or `Surrogate-Key` headers name more tags than the middleware's bound, or a tag
    /// longer than a tag may be: the response is sent, not stored.
    public static let tagHeaderOverBound = NotStoredReason("tag_header_over_bound")

    /// Every reason, in the order above.
    public static let all: [NotStoredReason] = [
        .status, .noStore, .private, .setCookie, .vary, .tooLarge, .trailers, .head, .lengthMismatch, .incomplete,
        .storeFailed, .streamed, .tagHeaderOverBound,
    ]

    /// The stable name.
    public var description: String { self.name }
}
