/// What a cache boundary needs to know about an HTTP request: method, scheme, authority, path, query, headers and,
/// for per-user endpoints, who is asking.
///
/// Everything here that the handler can read is part of the key (see ``CacheBoundaries``), so fill in what the
/// handler sees: the query as the handler receives it (names as sent, values percent-decoded), and every header
/// field the boundaries look at (identity headers, vary headers, `Host`), with all its values.
public struct CacheRequest: Sendable {
    /// The method, such as `GET`.
    public var method: String
    /// The scheme (`http`, `https`), when known: part of the key.
    public var scheme: String?
    /// The authority (`Host`, HTTP/2's `:authority`: `shop.example:8080`), when known: part of the key unless the
    /// endpoint ignores the host.
    public var authority: String?
    /// The path without the query, such as `/admin/order-items`. A path that does not start with `/` matches no
    /// endpoint.
    public var path: String
    /// The query parameters in request order (repeats allowed).
    public var query: [(name: String, value: String)]
    /// The request headers (names compared case-insensitively).
    public var headers: [(name: String, value: String)]
    /// The authenticated user, when the application knows it: part of the key on per-user endpoints.
    public var userID: String?
    /// Whether the application knows the response depends on who asks (an authentication middleware inside the
    /// cache, a token in the query): a shared endpoint then bypasses the cache, as for an identity header.
    public var isPersonalised: Bool

    /// Creates a request description.
    public init(
        method: String = "GET",
        scheme: String? = nil,
        authority: String? = nil,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        userID: String? = nil,
        isPersonalised: Bool = false
    ) {
        self.method = method
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.headers = headers
        self.userID = userID
        self.isPersonalised = isPersonalised
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return self.headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Every value of header `name` (compared case-insensitively), in request order: empty when the request has none.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return self.headers.compactMap { $0.name.lowercased() == wanted ? $0.value : nil }
    }
}
