import CacheLayer
import Synchronization

/// An in-memory backend that can be told to fail or to stall its operations, for tests of what a cache, a
/// read-through or a middleware does when the backend is down, refuses writes, or is slow.
///
/// Every operation goes to a ``CacheLayer/MemoryBackend`` unless it was told otherwise:
///
/// ```swift
/// let backend = try ControllableBackend()
/// backend.fail([.set, .setIfAbsent], with: CacheError(.backendUnavailable, "down"))  // reads work, writes fail
/// backend.stall([.get])  // reads wait until `resume()`
/// ```
///
/// A failing operation throws without touching the memory; a stalled one waits until ``resume()`` (or until it is
/// told to fail, which it then does when resumed), then runs as configured at that moment.
public final class ControllableBackend: CacheBackend {
    /// The operations a backend offers, to say which ones fail or stall.
    public enum Operation: Sendable, Hashable, CaseIterable {
        /// `get`, of one key or many.
        case get
        /// `set`.
        case set
        /// `setIfAbsent` (the distributed lock's acquisition).
        case setIfAbsent
        /// `delete`, plain or owner-checked (the distributed lock's release).
        case delete
        /// `deleteAll(in:)`.
        case deleteAll
        /// `beginLoad(of:tags:ttl:window:)`, the start of a guarded read-through load (its store is a ``set``).
        case beginLoad
        /// `endLoad(of:token:)`, the end of a guarded load that stores nothing.
        case endLoad
        /// `invalidate(tags:)`.
        case invalidate
    }

    private struct State {
        var failures: [Operation: CacheError] = [:]
        var stalled: Set<Operation> = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        var calls = 0
    }

    /// The memory the operations that neither fail nor stall reach.
    public let memory: MemoryBackend
    public let telemetry: CacheBackendTelemetry
    private let state = Mutex(State())

    /// A backend over `memory`, reporting `telemetry` on the cache's spans (by default, the memory backend's).
    public init(memory: MemoryBackend, telemetry: CacheBackendTelemetry? = nil) {
        self.memory = memory
        self.telemetry = telemetry ?? memory.telemetry
    }

    /// A backend over a new memory backend of `byteBudget` bytes.
    public convenience init(byteBudget: Int = 1 << 20, telemetry: CacheBackendTelemetry? = nil) throws(CacheError) {
        self.init(memory: try MemoryBackend(byteBudget: byteBudget), telemetry: telemetry)
    }

    /// How many asynchronous operations were called, whatever their outcome.
    public var callCount: Int { self.state.withLock { $0.calls } }

    /// How many calls are waiting in a stall.
    public var stalledCallCount: Int { self.state.withLock { $0.waiters.count } }

    /// Makes `operations` (all of them by default) throw `error` from now on.
    public func fail(_ operations: Set<Operation> = Set(Operation.allCases), with error: CacheError) {
        self.state.withLock { state in
            for operation in operations { state.failures[operation] = error }
        }
    }

    /// Makes `operations` (all of them by default) wait from now on, until ``resume()``.
    public func stall(_ operations: Set<Operation> = Set(Operation.allCases)) {
        self.state.withLock { $0.stalled.formUnion(operations) }
    }

    /// Ends every stall: the waiting calls go on, and later calls do not wait.
    public func resume() {
        let waiters = self.state.withLock { state in
            state.stalled = []
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Ends every failure: operations reach the memory again.
    public func recover() {
        self.state.withLock { $0.failures = [:] }
    }

    /// Counts the call, waits while `operation` is stalled, then throws its failure if it has one.
    private nonisolated(nonsending) func enter(_ operation: Operation) async throws(CacheError) {
        let mustWait = self.state.withLock { state in
            state.calls += 1
            return state.stalled.contains(operation)
        }
        if mustWait {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    // `resume()` may have run between the check above and now.
                    guard state.stalled.contains(operation) else { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        if let error = self.state.withLock({ $0.failures[operation] }) {
            throw error
        }
    }

    /// The memory's answer when `get` neither fails nor stalls; otherwise `nil`, so that the cache calls ``get(_:)``.
    public func getWithoutSuspending(_ key: CacheKey) -> [UInt8]?? {
        let plain = self.state.withLock { $0.failures[.get] == nil && !$0.stalled.contains(.get) }
        return plain ? self.memory.getWithoutSuspending(key) : nil
    }

    public nonisolated(nonsending) func get(_ key: CacheKey) async throws(CacheError) -> [UInt8]? {
        try await self.enter(.get)
        return try await self.memory.get(key)
    }

    public nonisolated(nonsending) func get(_ keys: [CacheKey]) async throws(CacheError) -> [[UInt8]?] {
        try await self.enter(.get)
        return try await self.memory.get(keys)
    }

    public nonisolated(nonsending) func set(_ key: CacheKey, to value: [UInt8], ttl: Duration?) async throws(CacheError)
    {
        try await self.enter(.set)
        try await self.memory.set(key, to: value, ttl: ttl)
    }

    public nonisolated(nonsending) func setIfAbsent(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?
    ) async throws(CacheError) -> Bool {
        try await self.enter(.setIfAbsent)
        return try await self.memory.setIfAbsent(key, to: value, ttl: ttl)
    }

    public nonisolated(nonsending) func delete(_ key: CacheKey) async throws(CacheError) -> Bool {
        try await self.enter(.delete)
        return try await self.memory.delete(key)
    }

    public nonisolated(nonsending) func delete(
        _ key: CacheKey, ifValueEquals expected: [UInt8]
    ) async throws(CacheError) -> Bool {
        try await self.enter(.delete)
        return try await self.memory.delete(key, ifValueEquals: expected)
    }

    public nonisolated(nonsending) func deleteAll(in namespace: CacheNamespace) async throws(CacheError) {
        try await self.enter(.deleteAll)
        try await self.memory.deleteAll(in: namespace)
    }

    public nonisolated(nonsending) func set(
        _ key: CacheKey, to value: [UInt8], ttl: Duration?, tags: [CacheTag]
    ) async throws(CacheError) {
        try await self.enter(.set)
        try await self.memory.set(key, to: value, ttl: ttl, tags: tags)
    }

    public nonisolated(nonsending) func beginLoad(
        of key: CacheKey, tags: [CacheTag], ttl: Duration?, window: Duration
    ) async throws(CacheError) -> CacheLoadToken {
        try await self.enter(.beginLoad)
        return try await self.memory.beginLoad(of: key, tags: tags, ttl: ttl, window: window)
    }

    public nonisolated(nonsending) func finishLoad(
        of key: CacheKey, storing value: [UInt8], ttl: Duration?, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await self.enter(.set)
        return try await self.memory.finishLoad(of: key, storing: value, ttl: ttl, token: token)
    }

    public nonisolated(nonsending) func endLoad(
        of key: CacheKey, token: CacheLoadToken
    ) async throws(CacheError) -> Bool {
        try await self.enter(.endLoad)
        return try await self.memory.endLoad(of: key, token: token)
    }

    public nonisolated(nonsending) func invalidate(tags: [CacheTag]) async throws(CacheError) {
        try await self.enter(.invalidate)
        try await self.memory.invalidate(tags: tags)
    }
}
