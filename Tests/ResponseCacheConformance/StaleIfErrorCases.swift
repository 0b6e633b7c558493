import Testing

extension ConformanceCase {
    /// Stale if error: an endpoint whose policy keeps responses past their time-to-live (`/flaky`: TTL 60 s,
    /// maximum stale age 120 s, throttle 5 s) answers a failing handler with the stored response; `/fragile` has no
    /// such policy; `/slow` has a hard timeout (1 s, long enough for a loaded machine's ordinary answer) and nothing
    /// stored to fall back on.
    static let staleIfError: [ConformanceCase] = [
        ConformanceCase("a handler that throws within the maximum stale age is answered with the stored response") {
            fixture, send in
            let stored = try await send(.init("/flaky"))
            #expect(stored.status == 200 && stored.cacheStatus == "MISS")
            fixture.clock.advance(by: .seconds(70))
            fixture.outage.set(.throwing)
            let stale = try await send(.init("/flaky"))
            #expect(stale.status == 200)
            #expect(stale.cacheStatus == "STALE")
            #expect(stale.header("age") == "70")
            #expect(stale.body == stored.body)
            #expect(fixture.runs.count == 2)
            // Within the throttle the stored response is served without running the handler again.
            fixture.clock.advance(by: .seconds(1))
            let throttled = try await send(.init("/flaky"))
            #expect(throttled.cacheStatus == "STALE" && throttled.body == stored.body)
            #expect(fixture.runs.count == 2)
        },
        ConformanceCase("a client error the handler throws is its answer: no stored response replaces it") {
            fixture, send in
            let stored = try await send(.init("/flaky"))
            fixture.clock.advance(by: .seconds(70))
            // The thing the page showed is gone: the handler answers 404, which is not the origin failing.
            fixture.outage.set(.throwingStatus(404))
            let gone = try await send(.init("/flaky"))
            #expect(gone.status == 404)
            #expect(gone.cacheStatus == "MISS")
            #expect(gone.body != stored.body)
            fixture.outage.set(nil)
            let again = try await send(.init("/flaky"))
            #expect(again.status == 200 && again.cacheStatus == "MISS")
        },
        ConformanceCase("a 5xx answer within the maximum stale age is replaced by the stored response, and not stored")
        { fixture, send in
            let stored = try await send(.init("/flaky"))
            fixture.clock.advance(by: .seconds(70))
            fixture.outage.set(.status(503))
            let stale = try await send(.init("/flaky"))
            #expect(stale.status == 200)
            #expect(stale.cacheStatus == "STALE")
            #expect(stale.header("age") == "70")
            #expect(stale.body == stored.body)
            // The origin is back once the throttle ends: the next request loads and stores afresh.
            fixture.outage.set(nil)
            fixture.clock.advance(by: .seconds(6))
            let fresh = try await send(.init("/flaky"))
            #expect(fresh.status == 200 && fresh.cacheStatus == "MISS")
            #expect(fresh.body == "flaky origin, run 3")
            #expect(try await send(.init("/flaky")).cacheStatus == "HIT")
        },
        ConformanceCase("past the hard timeout with nothing stored the client gets a 504 (once the handler stops)") {
            fixture, send in
            fixture.outage.set(.stalling)
            let late = try await send(.init("/slow"))
            // A framework that cancels the late handler answers 504. One that cannot (Vapor) waits for the handler,
            // then sends its response (and stores it).
            #expect(late.status == (fixture.cancelsHandlers ? 504 : 200))
            #expect(late.cacheStatus == "MISS")
            fixture.outage.set(nil)
            let answered = try await send(.init("/slow"))
            #expect(answered.status == 200)
            #expect(answered.cacheStatus == (fixture.cancelsHandlers ? "MISS" : "HIT"))
            #expect(try await send(.init("/slow")).cacheStatus == "HIT")
        },
        ConformanceCase("past the maximum stale age the handler's failure reaches the client") { fixture, send in
            _ = try await send(.init("/flaky"))
            fixture.clock.advance(by: .seconds(60 + 120 + 1))
            fixture.outage.set(.status(503))
            let unavailable = try await send(.init("/flaky"))
            #expect(unavailable.status == 503)
            #expect(unavailable.cacheStatus == "MISS")
            #expect(unavailable.body == ConformanceOutage.serverErrorBody)
            fixture.outage.set(.throwing)
            let failed = try await send(.init("/flaky"))
            #expect(failed.status == 500)
        },
        ConformanceCase("without a maximum stale age a 5xx reaches the client and is not stored") { fixture, send in
            _ = try await send(.init("/fragile"))
            fixture.clock.advance(by: .seconds(61))
            fixture.outage.set(.status(502))
            let bad = try await send(.init("/fragile"))
            #expect(bad.status == 502)
            #expect(bad.cacheStatus == "MISS")
            fixture.outage.set(nil)
            let recovered = try await send(.init("/fragile"))
            #expect(recovered.status == 200 && recovered.cacheStatus == "MISS")
            #expect(recovered.body == "fragile origin, run 3")
        },
    ]
}
