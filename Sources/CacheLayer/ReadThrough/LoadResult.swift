/// What an adaptive loader returns: the value, and how it is to be cached.
///
/// ```swift
/// let price = try await cache.getOrLoad(key: "price:42", ttl: .seconds(300)) {
///     let quote = try await fetchQuote(42)
///     // A provisional quote is good for 5 seconds only; an error page is returned but not cached.
///     return LoadResult(quote, ttl: quote.isProvisional ? .seconds(5) : nil, cachesValue: !quote.isErrorPage)
/// }
/// ```
///
/// Every caller coalesced on the load gets the value, cached or not; except that when another process removed,
/// invalidated or wrote the key while the load ran, the callers that joined the load after it began read the key
/// again.
public struct LoadResult<Value: Sendable>: Sendable {
    /// The loaded value.
    public var value: Value
    /// How long to keep it; `nil` (the default) uses the call's TTL (or, for a `nil` value, the policy's
    /// ``LoadPolicy/negativeTTL``). Positive. Jittered like the call's.
    public var ttl: Duration?
    /// Whether to store it at all (`true` by default). A value that is not stored is still returned, to this caller
    /// and to the callers coalesced on its load (see above).
    public var cachesValue: Bool
    /// Tags the value is stored with besides the call's own `tags` (those the value itself names, such as an HTTP
    /// response's `Cache-Tag` header); none by default. The call's tags guard the whole load (an invalidation while
    /// the loader runs wins); these are attached when the loader returns, so an invalidation of one of them wins
    /// from then on, not over the loader's run.
    public var tags: [String]

    /// Creates a result.
    public init(_ value: Value, ttl: Duration? = nil, cachesValue: Bool = true, tags: [String] = []) {
        self.value = value
        self.ttl = ttl
        self.cachesValue = cachesValue
        self.tags = tags
    }
}

/// Lets the read-through tell a `nil` loaded through a generic `Value` (negative caching).
protocol OptionalValue {
    /// Whether the value is `nil`.
    var isNone: Bool { get }
}

extension Optional: OptionalValue {
    var isNone: Bool { self == nil }
}
