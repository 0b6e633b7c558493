extension ReadThrough {
    // MARK: Stale if error

    /// Answers a caller whose load failed or timed out with the stale value it read: a `cache.get` hit marked stale,
    /// counted in `cache.stale_if_error_serves`, logged as a warning naming the error, and the key's loads throttled
    /// for ``LoadPolicy/failSafeThrottle``.
    func servingStale(_ fallback: Found, after error: any Error) -> ReadThroughResult<Value> {
        let core = self.cache.core
        if let held = fallback.held {
            core.observer.end(held.operation, .hit(size: held.size, stale: true, age: held.age))
        }
        core.observer.metrics?.recordStaleIfErrorServe()
        core.observer.warnServedStale(self.key, after: error)
        let now = self.cache.core.configuration.freshnessClock.now()
        core.failSafeThrottles.throttle(
            self.key, until: now + min(self.policy.failSafeThrottle, Cache.maximumTTL), now: now)
        return ReadThroughResult(value: fallback.value, source: .stale, loadError: error)
    }

    /// The stale value of `found` when the key's loads are throttled after a failure: served at once, without a
    /// load (a `cache.get` hit marked stale, counted in `cache.stale_if_error_serves`).
    func servingThrottled(_ found: Found) -> ReadThroughResult<Value>? {
        let core = self.cache.core
        guard core.failSafeThrottles.isThrottled(self.key, now: core.configuration.freshnessClock.now()) else {
            return nil
        }
        if let held = found.held {
            core.observer.end(held.operation, .hit(size: held.size, stale: true, age: held.age))
        }
        core.observer.metrics?.recordStaleIfErrorServe()
        return ReadThroughResult(value: found.value, source: .stale)
    }

    /// Ends the held `cache.get` of a stale value that was not served: the read was a miss.
    func endMissed(_ fallback: Found?) {
        if let held = fallback?.held { self.cache.core.observer.end(held.operation, .miss(size: 0)) }
    }

    // MARK: Loader timeouts

    /// How long a caller waits for a load: with a stale value to fall back on, the soft timeout (else the hard
    /// one); without, the hard timeout. `nil`: until the load ends.
    func waitLimit(_ fallback: Found?) -> Duration? {
        fallback != nil ? (self.policy.softTimeout ?? self.policy.hardTimeout) : self.policy.hardTimeout
    }

    /// Runs the load and hands its outcome to `deliver`, once: the load's value or error, or
    /// ``CacheError/Code/loaderTimeout`` as soon as it has run past the policy's hard timeout; the load is then
    /// cancelled (and this returns once the loader has stopped).
    func loadWithinHardTimeout(
        _ loader: @escaping @Sendable () async throws -> LoadResult<Value>,
        deliver: @escaping @Sendable (Result<Loaded, any Error>) -> Void
    ) async {
        // The first outcome, the early landing's, the load's or the timer's, is delivered; the others are dropped.
        let first = SingleFlight.Flight<Loaded>()
        var load = self
        load.landedEarly = { loaded in
            let early = Result<Loaded, any Error>.success(loaded)
            if first.finishFirst(early) { deliver(early) }
        }
        guard let hard = self.policy.hardTimeout else {
            let outcome: Result<Loaded, any Error>
            do {
                outcome = .success(try await load.loadCoordinated(loader))
            } catch {
                outcome = .failure(error)
            }
            if first.finishFirst(outcome) { deliver(outcome) }
            return
        }
        await withTaskGroup(of: Void.self) { [load] group in
            group.addTask {
                let outcome: Result<Loaded, any Error>
                do {
                    outcome = .success(try await load.loadCoordinated(loader))
                } catch {
                    outcome = .failure(error)
                }
                if first.finishFirst(outcome) { deliver(outcome) }
            }
            group.addTask {
                guard (try? await Task.sleep(for: hard)) != nil else { return }
                let timedOut = Result<Loaded, any Error>.failure(Self.timedOut(after: hard))
                if first.finishFirst(timedOut) { deliver(timedOut) }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// The outcome of `flight`, waiting at most `timeout` (then ``CacheError/Code/loaderTimeout``). The caller's
    /// cancellation ends the wait with `CancellationError`; no task outlives the call.
    static func outcome<Success: Sendable>(
        of flight: SingleFlight.Flight<Success>, waitingAtMost timeout: Duration?
    ) async -> Result<Success, any Error> {
        guard let timeout else { return await flight.wait() }
        let first = await withTaskGroup(of: Result<Success, any Error>?.self) { group in
            group.addTask { await flight.wait() }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return nil
                } catch {
                    return .failure(error)
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if Task.isCancelled { return .failure(CancellationError()) }
        return first ?? .failure(Self.timedOut(after: timeout))
    }

    /// What a caller whose wait limit `timeout` ran out throws.
    static func timedOut(after timeout: Duration) -> CacheError {
        CacheError(.loaderTimeout, "the load ran past its timeout of \(timeout)")
    }
}
