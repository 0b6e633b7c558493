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
/// Every caller coalesced on the load gets the value, cached or not. Tags will join these fields once backends can
/// store them (the one place a loader says how its value is cached).
public struct LoadResult<Value: Sendable>: Sendable {
    /// The loaded value.
    public var value: Value
    /// How long to keep it; `nil` (the default) uses the call's TTL (or, for a `nil` value, the policy's
    /// ``LoadPolicy/negativeTTL``). Positive. Jittered like the call's.
    public var ttl: Duration?
    /// Whether to store it at all (`true` by default). A value that is not stored is still returned, to this caller
    /// and to the callers coalesced on its load.
    public var cachesValue: Bool

    /// Creates a result.
    public init(_ value: Value, ttl: Duration? = nil, cachesValue: Bool = true) {
        self.value = value
        self.ttl = ttl
        self.cachesValue = cachesValue
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
