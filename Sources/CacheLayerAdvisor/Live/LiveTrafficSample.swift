import CacheLayer
import Synchronization

/// Collects what the boundary advisor needs from a running server: each boundary's request count, and one request
/// in ``sampleEvery`` counted by path and query, with its response size and the origin's time when the origin
/// served it. Feed it from the request path (a middleware, or after `Cache.getOrLoad(for:)`); read it with
/// ``snapshot()`` and advise with ``LiveBoundaryAdvisor``.
///
/// ```swift
/// let sample = LiveTrafficSample(sampleEvery: 10)
/// sample.record(boundary: decision.boundaryName, path: path, query: query, responseSize: body.count,
///               originTime: served ? nil : elapsed)
/// let advice = try await LiveBoundaryAdvisor(budget: 64 << 20).advise(sample.snapshot(), endpoints: endpoints)
/// ```
///
/// Memory stays bounded: at most ``maximumEntriesPerBoundary`` distinct requests per boundary are counted; later
/// new ones are only counted in ``LiveTraffic/Boundary/uncounted``. Keys never leave the process unless you write
/// the snapshot somewhere.
public final class LiveTrafficSample: Sendable {
    private struct Counted {
        var entry: LiveTraffic.Entry
        var originTotal: Double = 0
        var originCount = 0
    }

    private struct State {
        var requests: [String: Int] = [:]
        var uncounted: [String: Int] = [:]
        var entries: [String: [String: Counted]] = [:]
    }

    /// One request in this many is counted by path and query.
    public let sampleEvery: Int
    /// The most distinct requests counted per boundary.
    public let maximumEntriesPerBoundary: Int
    private let clock: any CacheClock
    private let start: Duration
    private let state = Mutex(State())

    /// Creates a sample.
    /// - Parameters:
    ///   - sampleEvery: one request in this many is counted by path and query (1: every request); at least 1.
    ///   - maximumEntriesPerBoundary: the most distinct requests counted per boundary.
    ///   - clock: the clock that times the observation (requests per minute).
    public init(
        sampleEvery: Int = 10, maximumEntriesPerBoundary: Int = 10_000, clock: any CacheClock = SystemCacheClock()
    ) {
        self.sampleEvery = max(sampleEvery, 1)
        self.maximumEntriesPerBoundary = maximumEntriesPerBoundary
        self.clock = clock
        self.start = clock.now()
    }

    /// Counts one request of `boundary`.
    /// - Parameters:
    ///   - originTime: how long the origin took, when it served the request (a miss or a bypass); `nil` for a hit.
    public func record(
        boundary: String,
        path: String,
        query: [(name: String, value: String)],
        responseSize: Int,
        originTime: Duration?
    ) {
        let every = self.sampleEvery
        let limit = self.maximumEntriesPerBoundary
        self.state.withLock { state in
            let seen = state.requests[boundary, default: 0]
            state.requests[boundary] = seen + 1
            guard seen % every == 0 else { return }
            let sorted = query.sorted { $0.name != $1.name ? $0.name < $1.name : $0.value < $1.value }
            let identity = path + "?" + sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
            var entries = state.entries[boundary, default: [:]]
            defer { state.entries[boundary] = entries }
            if entries[identity] == nil {
                guard entries.count < limit else {
                    state.uncounted[boundary, default: 0] += 1
                    return
                }
                entries[identity] = Counted(
                    entry: LiveTraffic.Entry(
                        path: path, query: query.map { [$0.name, $0.value] }, count: 0, responseSize: responseSize,
                        originMilliseconds: nil))
            }
            entries[identity]!.entry.count += 1
            entries[identity]!.entry.responseSize = responseSize
            if let originTime {
                entries[identity]!.originTotal += Double(originTime.attoseconds) / 1e15
                entries[identity]!.originCount += 1
            }
        }
    }

    /// What the sample holds now.
    public func snapshot() -> LiveTraffic {
        let seconds = Double((self.clock.now() - self.start).attoseconds) / 1e18
        return self.state.withLock { state in
            LiveTraffic(
                boundaries: state.requests.reduce(into: [:]) { result, item in
                    let entries = (state.entries[item.key] ?? [:]).sorted { $0.key < $1.key }.map { _, counted in
                        var entry = counted.entry
                        if counted.originCount > 0 {
                            entry.originMilliseconds = counted.originTotal / Double(counted.originCount)
                        }
                        return entry
                    }
                    result[item.key] = LiveTraffic.Boundary(
                        requests: item.value, observedSeconds: seconds, entries: entries,
                        uncounted: state.uncounted[item.key] ?? 0)
                })
        }
    }
}
