/// What a cached request's load produced: a response that may be stored and shared, or one (of the framework's own
/// type) sent only to the request that asked (the coding declines to store it, so concurrent requests run the
/// handler themselves).
package enum ResponseLoad<Response: Sendable>: Sendable {
    case stored(CachedResponse)
    case notStored(Response)
}
