/// What a cache boundary needs to know about an HTTP request: method, path, query, headers and, for per-user
/// endpoints, who is asking.
public struct CacheRequest: Sendable {
    /// The method, such as `GET`.
    public var method: String
    /// The path without the query, such as `/admin/order-items`.
    public var path: String
    /// The query parameters in request order (repeats allowed).
    public var query: [(name: String, value: String)]
    /// The request headers (names compared case-insensitively).
    public var headers: [(name: String, value: String)]
    /// The authenticated user, when the application knows it: part of the key on per-user endpoints.
    public var userID: String?

    /// Creates a request description.
    public init(
        method: String = "GET",
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        userID: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.userID = userID
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return self.headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether the request carries a user's identity (an `Authorization` header or a cookie).
    var carriesIdentity: Bool {
        self.header("authorization") != nil || self.header("cookie") != nil
    }
}
