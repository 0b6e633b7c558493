import HTTPTypes

/// The value of the `X-Cache` response header.
public enum CacheStatus: String, Sendable, Hashable {
    /// Served from the cache, fresh.
    case hit = "HIT"
    /// Not in the cache (or being refreshed by this request): the handler's response, or one it shared with
    /// concurrent identical requests.
    case miss = "MISS"
    /// Served from the cache past its time-to-live: within the endpoint's grace period, while another request
    /// refreshes it; or within its maximum stale age, because the handler threw or answered a 5xx (stale if error).
    case stale = "STALE"
    /// Not cacheable: no boundary matches, the boundary excludes the request (a deep page, an uncommon filter, a
    /// personalised request, ...), or the method is not GET or HEAD.
    case bypass = "BYPASS"
}

extension HTTPField.Name {
    /// `X-Cache`: whether the response cache served the response (``CacheStatus``).
    public static let xCache = HTTPField.Name("X-Cache")!
}
