/// How a write that matched invalidation rules went: the `result` dimension of `cache.http_invalidations` and the
/// request span's `cache.invalidation.result`.
public enum InvalidationOutcome: String, Sendable, Hashable, CaseIterable {
    /// The response was a 2xx and the tags were invalidated (or, with `failOpen`, kept for replay because the
    /// backend is down: `cache.failed_invalidations` counts those) before the response was returned.
    case invalidated
    /// The response was not a 2xx, or the handler threw: nothing was invalidated.
    case notSuccessful = "not_successful"
    /// The invalidation failed (the backend is down, with `failOpen` off): the client gets the error, not the
    /// write's response, since it could otherwise read the old data next.
    case failed
    /// A tag template of the rule could not be built from the request (a missing query value): the tags that could
    /// were invalidated; counted once per request, besides `invalidated`.
    case skippedTag = "skipped_tag"
}
