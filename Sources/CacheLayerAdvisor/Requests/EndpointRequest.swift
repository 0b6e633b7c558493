/// One HTTP request to a paginated endpoint: a path and its query parameters, in the order they came.
public struct EndpointRequest: Sendable, Hashable {
    /// A query parameter.
    public struct Parameter: Sendable, Hashable {
        /// The name.
        public var name: String
        /// The value.
        public var value: String

        /// Creates a parameter.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The path, such as `/admin/order-items`.
    public var path: String
    /// The query parameters.
    public var query: [Parameter]
    /// The response's size in bytes (what caching it costs).
    public var responseSize: Int

    /// Creates a request.
    public init(path: String, query: [Parameter], responseSize: Int) {
        self.path = path
        self.query = query
        self.responseSize = responseSize
    }
}
