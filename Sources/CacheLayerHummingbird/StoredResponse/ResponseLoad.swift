import Hummingbird

/// What a cached request's load produced: a response that may be stored and shared, or one sent only to the
/// request that asked (the coding declines to store it, so concurrent requests run the handler themselves).
enum ResponseLoad: Sendable {
    case stored(CachedResponse)
    case notStored(Response)
}
