/// The guarded load that a read-through's loader runs in: its key and the token its store must present (see
/// ``CacheBackend/beginLoad(of:tags:ttl:window:)``), so that a value the loader completes only after the
/// read-through returned (a streamed HTTP response) is stored under the same guard, and a removal at any time since
/// the loader started wins over it.
package struct GuardedLoad: Sendable {
    /// The key being loaded.
    let key: CacheKey
    /// The guard, or `nil` when none could be set (the backend failed, and the cache fails open): nothing is stored.
    let token: CacheLoadToken?
    /// The tags the guard was started with (the key is in their tag sets).
    let tags: [CacheTag]

    /// The load the current task's read-through loader runs in.
    @TaskLocal package static var current: GuardedLoad?
}
