/// What a cached request's load produced: a response that may be stored and shared, or one (of the framework's own
/// type) sent only to the request that asked (the coding declines to store it, so concurrent requests run the
/// handler themselves).
package enum ResponseLoad<Response: Sendable>: Sendable {
    case stored(CachedResponse)
    case notStored(Response)
    /// The handler threw an error that the framework answers with a client error (4xx: a 404 for an order deleted
    /// meanwhile, say). It is the answer, not a failure of the origin: no stale response replaces it, and it is
    /// thrown to the request, not stored.
    case clientError(any Error)
}
