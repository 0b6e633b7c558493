import CacheLayer
import HTTPTypes
import Logging
import NIOCore
import Tracing

/// How a response of unknown length reaches the cache: its body is forwarded to the client as the handler writes
/// it, and the copy kept on the way (up to the size limit) is stored when the body ends well, as
/// ``CacheLayer/Cache/readThrough(key:ttl:policy:tags:coding:loader:)`` would have stored it (same jitter, same
/// freshness header, a `cache.put` under the request's span).
///
/// The read-through itself has already returned by then, without sharing the response: concurrent requests for
/// the key run their own handler rather than wait for a stream that may never end. The store presents the guard
/// the handler ran under, so a removal or invalidation at any time since the handler was called wins over it, and
/// a body that takes longer than the cache's `loadWindow` is not stored.
package struct StreamedResponseStore<Response: Sendable>: Sendable {
    let cache: Cache
    let coding: CacheValueCoding<ResponseLoad<Response>>
    let key: String
    let endpoint: CacheEndpoint
    /// The tags the response is stored with: its boundary's and its headers'.
    let tags: [String]
    let limit: Int
    /// When the handler was called: the load's duration runs to the end of the body.
    let started: ContinuousClock.Instant
    /// The guard the read-through's loader (the handler) ran under: a removal since the handler was called, or
    /// while the body streams, stops the store.
    let guarded: GuardedLoad?
    let notStored: NotStoredRecording

    /// The copy of a body sent with `head`, which stores it with `head`'s status and replayable headers.
    func copy(of head: HTTPResponse) -> StreamedBodyCopy {
        let status = head.status
        let headers = ResponseStorability.storedHeaders(head.headerFields)
        // The request's span, so that the `cache.put` at the end of the body (after the middleware returned)
        // nests under it.
        let serviceContext = ServiceContext.current
        let store = self
        return StreamedBodyCopy(
            limit: self.limit,
            store: { body in
                let cached = CachedResponse(
                    status: status,
                    headers: headers,
                    body: body,
                    storedAt: store.cache.freshnessNow()
                )
                await store.store(cached, serviceContext: serviceContext)
            },
            refuse: { reason in store.notStored(reason) }
        )
    }

    private func store(_ cached: CachedResponse, serviceContext: ServiceContext?) async {
        do {
            try await ServiceContext.withValue(serviceContext) {
                try await self.cache.storeLoaded(
                    ResponseLoad<Response>.stored(cached),
                    key: self.key,
                    ttl: self.endpoint.ttl,
                    policy: self.endpoint.loadPolicy,
                    tags: self.tags,
                    coding: self.coding,
                    loadDuration: .now - self.started,
                    guardedBy: self.guarded
                )
            }
        } catch {
            // The client has its response; only the copy is lost.
            self.notStored(.storeFailed)
            self.notStored.logger.warning(
                "response cache unavailable; the streamed response was not stored",
                metadata: [
                    "cache.boundary": "\(self.endpoint.name)",
                    "error.message": "\(self.cache.describeForTelemetry(error, key: self.key))",
                ]
            )
        }
    }
}
