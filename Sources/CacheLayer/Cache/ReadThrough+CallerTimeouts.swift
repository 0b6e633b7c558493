extension ReadThrough {
    /// How a load that runs within its caller's call (a `readThrough` loader, which cannot escape) is made.
    enum CallerLoad {
        /// Under the distributed lock when the policy has one (``loadCoordinated(_:)``).
        case coordinated
        /// Without the lock (``loadAndStore(startedAt:_:)``): a caller whose leader's value was not shared.
        case unlocked
    }

    /// Runs a load whose loader cannot outlive this call, in a child task, for at most `timeout` (`nil`: until it
    /// ends). Past `timeout` the load is cancelled, and this throws ``CacheError/Code/loaderTimeout`` once the
    /// loader has stopped: a loader that runs in its caller's call cannot go on in the background, so the caller's
    /// wait limit (the soft timeout with a stale value to fall back on, else the hard one) ends it.
    ///
    /// The loader must stop when cancelled for the call to return at its timeout (the child task is awaited so that
    /// nothing it captured is used after the call returns). `isolation` is the caller's: the closure that carries
    /// the loader over to the child task stays in it.
    func load(
        _ kind: CallerLoad,
        _ loader: () async throws -> LoadResult<Value>,
        waitingAtMost timeout: Duration?,
        isolation: isolated (any Actor)? = #isolation
    ) async throws -> Loaded {
        guard let timeout else { return try await self.load(kind, loader) }
        return try await withoutActuallyEscaping(loader) { (escapable) async throws -> Loaded in
            // See CallerBoundLoader for why the loader may run in a child task.
            _ = isolation
            let bound = CallerBoundLoader(run: escapable)
            return try await Self.race(self, kind, bound, against: timeout)
        }
    }

    /// The load, run in a child task, or ``CacheError/Code/loaderTimeout`` once `timeout` has passed; leaving the
    /// group cancels, and waits for, whichever child is still running. A load whose flight landed early (its value
    /// stored, the lock being released) has its value: the timer then changes nothing.
    private static func race(
        _ load: Self, _ kind: CallerLoad, _ loader: CallerBoundLoader<Value>, against timeout: Duration
    ) async throws -> Loaded {
        let landed = SingleFlight.Flight<Loaded>()
        var load = load
        load.landedEarly = { landed.finish(.success($0)) }
        let first = try await withThrowingTaskGroup(of: Loaded?.self) { [load] group in
            group.addTask { try await load.load(kind, loader.run) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        if let first { return first }
        // The group has waited for the load to stop: one that landed its flight meanwhile (its waiters have the
        // value), even after the timer fired, has its value.
        if case .success(let loaded)? = landed.outcomeIfFinished { return loaded }
        throw Self.timedOut(after: timeout)
    }

    private nonisolated(nonsending) func load(
        _ kind: CallerLoad,
        _ loader: () async throws -> LoadResult<Value>
    ) async throws -> Loaded {
        switch kind {
        case .coordinated: try await self.loadCoordinated(loader)
        case .unlocked: try await self.loadAndStore(loader)
        }
    }
}

/// A loader that cannot escape its caller, carried into a child task that the caller awaits.
///
/// `@unchecked Sendable`: the loader runs in exactly one child task of a task group that the caller awaits to the
/// end (``ReadThrough/load(_:_:waitingAtMost:)``), so it never runs concurrently with its caller, nor after the
/// caller's call returns; what it captures is handed over and back through the group's start and end. An
/// actor-isolated loader still runs on its actor (an async closure hops to its isolation when called).
struct CallerBoundLoader<Value: Sendable>: @unchecked Sendable {
    let run: () async throws -> LoadResult<Value>
}
