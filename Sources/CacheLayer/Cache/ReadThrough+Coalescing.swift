extension ReadThrough {
    /// Loads a missing value, sharing one load with every concurrent miss of the key in this process: the miss path
    /// of both ``Cache/getOrLoad(key:ttl:policy:tags:as:loader:)`` and ``Cache/readThrough(key:ttl:policy:tags:coding:loader:)``,
    /// over the cache's one single-flight map.
    ///
    /// The first caller leads the flight. With `inOwnTask` (a loader that may outlive the call), the leader starts
    /// a task that runs the load and lands the flight, and waits for it like the others, so that cancelling the leader
    /// leaves the load running; without it, the leader runs `loader` in its own task and lands the flight itself. The
    /// other callers of the key, whichever entry point they came through, wait for the flight's outcome:
    /// - the value: they return it (``ReadThroughSource/shared``);
    /// - the load's error: they throw it;
    /// - ``SingleFlight/Handoff/leaderCancelled``, or ``SingleFlight/Handoff/storeRefused`` of a load that began
    ///   before their call did: they read the key again (a caller that took over, or the write that won over the
    ///   load, may have stored it by now), then join the next flight or lead it; a refused load that began after
    ///   their call did hands them its value, since it began after anything they must see;
    /// - ``SingleFlight/Handoff/notShared``, or a value of another type (the key read as another type): each runs
    ///   its own load.
    ///
    /// With a `fallback` (a value kept for stale if error), a load that throws or runs past the policy's timeouts
    /// answers with it instead (see ``servingStale(_:after:)``). `cache.loads` counts the callers that ran a load,
    /// `cache.coalesced_loads` those that got another caller's value or error.
    nonisolated(nonsending) func loadSharing(
        _ loader: () async throws -> LoadResult<Value>,
        inOwnTask ownTaskLoader: (@Sendable () async throws -> LoadResult<Value>)? = nil,
        fallback: Found? = nil
    ) async throws -> ReadThroughResult<Value> {
        let result: ReadThroughResult<Value>
        do {
            result = try await self.loadSharing(
                loader, inOwnTask: ownTaskLoader, waitingAtMost: self.waitLimit(fallback))
        } catch {
            if let fallback, !(error is CancellationError && Task.isCancelled) {
                return self.servingStale(fallback, after: error)
            }
            self.endMissed(fallback)
            throw error
        }
        self.endMissed(fallback)
        if self.policy.maximumStaleAge != nil { self.cache.core.failSafeThrottles.clear(self.key) }
        return result
    }

    private nonisolated(nonsending) func loadSharing(
        _ loader: () async throws -> LoadResult<Value>,
        inOwnTask ownTaskLoader: (@Sendable () async throws -> LoadResult<Value>)?,
        waitingAtMost timeout: Duration?
    ) async throws -> ReadThroughResult<Value> {
        let metrics = self.cache.core.observer.metrics
        guard self.cache.core.configuration.coalescesLoads else {
            metrics?.recordLoad(coalesced: false)
            if let ownTaskLoader {
                return try await self.leadInOwnTask(nil, ownTaskLoader, waitingAtMost: timeout)
            }
            return try await self.load(.coordinated, loader, waitingAtMost: timeout).result
        }
        let flights = self.cache.core.flights
        // One deadline for the whole call: a caller that waits for a flight, then loads or waits again (the leader's
        // value was not shared, or the leader was cancelled), gets what is left of its wait limit, not a new one.
        let entered = ContinuousClock.now
        let deadline = timeout.map { entered + $0 }
        func left() throws(CacheError) -> Duration? {
            guard let deadline, let timeout else { return nil }
            let left = deadline - .now
            guard left > .zero else { throw Self.timedOut(after: timeout) }
            return left
        }
        while true {
            // Before joining: a caller that would lead must not throw once it holds the flight (nobody would land it).
            let limit = try left()
            let (flight, leads) = flights.join(self.key)
            if leads {
                metrics?.recordLoad(coalesced: false)
                if let ownTaskLoader {
                    return try await self.leadInOwnTask(flight, ownTaskLoader, waitingAtMost: limit)
                }
                return try await self.leadInCallerTask(flight, loader, waitingAtMost: limit)
            }
            switch await Self.outcome(of: flight, waitingAtMost: limit) {
            case .success(let value as Value):
                metrics?.recordLoad(coalesced: true)
                return ReadThroughResult(value: value, source: .shared)
            case .failure(SingleFlight.Handoff.storeRefused(let value as Value, let loadBegan))
            where loadBegan > entered:
                // The load began after this call did, so after anything this caller must see: its value will do.
                metrics?.recordLoad(coalesced: true)
                return ReadThroughResult(value: value, source: .shared)
            case .failure(SingleFlight.Handoff.leaderCancelled), .failure(SingleFlight.Handoff.storeRefused):
                try Task.checkCancellation()
                if let found = try await self.read(recordingSpan: false), found.refresh == .none {
                    metrics?.recordLoad(coalesced: true)
                    return ReadThroughResult(value: found.value, source: .shared)
                }
            case .success, .failure(SingleFlight.Handoff.notShared):
                metrics?.recordLoad(coalesced: false)
                return try await self.load(.unlocked, loader, waitingAtMost: try left()).result
            case .failure(let error):
                // This caller's own cancellation is no outcome of the load: it is not counted.
                if !(error is CancellationError && Task.isCancelled) { metrics?.recordLoad(coalesced: true) }
                throw error
            }
        }
    }

    /// Runs the load of a flight this caller leads within the calling task, lands it, and returns the value. The
    /// loader cannot outlive the call, so the caller's wait limit (`timeout`) ends it: past it the load is cancelled
    /// and the flight lands ``CacheError/Code/loaderTimeout`` (the caller then gets its stale value, if any).
    private nonisolated(nonsending) func leadInCallerTask(
        _ flight: SingleFlight.SharedFlight,
        _ loader: () async throws -> LoadResult<Value>,
        waitingAtMost timeout: Duration?
    ) async throws -> ReadThroughResult<Value> {
        let began = ContinuousClock.now
        do {
            let loaded = try await self.leading(flight, began: began).load(.coordinated, loader, waitingAtMost: timeout)
            self.land(flight, .success(loaded), leaderCancelled: false, began: began)
            return loaded.result
        } catch {
            self.land(
                flight, .failure(error), leaderCancelled: error is CancellationError || Task.isCancelled, began: began)
            throw error
        }
    }

    /// Starts the load of a flight this caller leads (or of no flight, without coalescing) in a task of its own,
    /// which lands it, and waits for its value at most `timeout` (or until this caller's cancellation, which leaves
    /// the load running for the others).
    private func leadInOwnTask(
        _ flight: SingleFlight.SharedFlight?,
        _ loader: @escaping @Sendable () async throws -> LoadResult<Value>,
        waitingAtMost timeout: Duration?
    ) async throws -> ReadThroughResult<Value> {
        // The leader's own outcome, apart from the flight's: a value the coding declines is not shared, yet the
        // leader gets it.
        let own = SingleFlight.Flight<Loaded>()
        let began = ContinuousClock.now
        let leader = flight.map { self.leading($0, began: began) } ?? self
        // Not a child task: the load must outlive the cancellation of the caller that happened to start it, and a
        // soft timeout.
        Task {
            await leader.loadWithinHardTimeout(loader) { outcome in
                if let flight { self.land(flight, outcome, leaderCancelled: false, began: began) }
                // A load that ends after its callers had the stale value (a soft timeout) ends the throttle too.
                if case .success = outcome, self.policy.maximumStaleAge != nil {
                    self.cache.core.failSafeThrottles.clear(self.key)
                }
                own.finish(outcome)
            }
        }
        return try await Self.outcome(of: own, waitingAtMost: timeout).get().result
    }

    /// Lands the flight this read-through leads, if any, with `loaded` before the load returns (the flight's first
    /// outcome is the one handed on: landing it again when the load returns changes nothing).
    func landLeadingFlight(_ loaded: Loaded) {
        guard let leading = self.leading else { return }
        self.land(leading.flight, .success(loaded), leaderCancelled: false, began: leading.began)
        self.landedEarly?(loaded)
    }

    /// Ends the flight with what its waiters are to get: the value, unless it is not to be shared (``Loaded/declined``)
    /// or the backend refused to store it (``Loaded/refused``); the error, unless the leader was cancelled (then a
    /// waiter takes over).
    private func land(
        _ flight: SingleFlight.SharedFlight, _ outcome: Result<Loaded, any Error>, leaderCancelled: Bool,
        began: ContinuousClock.Instant
    ) {
        let handed: SingleFlight.Outcome
        switch outcome {
        case .success(let loaded):
            if loaded.declined {
                handed = .failure(SingleFlight.Handoff.notShared)
            } else if loaded.refused {
                handed = .failure(SingleFlight.Handoff.storeRefused(loaded.value, loadBegan: began))
            } else {
                handed = .success(loaded.value)
            }
        case .failure(let error):
            handed = .failure(leaderCancelled ? SingleFlight.Handoff.leaderCancelled : error)
        }
        self.cache.core.flights.land(self.key, flight, handed)
    }
}
