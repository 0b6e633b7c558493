import AsyncHTTPClient
import NIOCore

/// Replays visits against a server on this machine over HTTP/1.1: a few visits at a time, each on its own request,
/// bounded in count (the visits given) and in time (no visit starts after the deadline).
///
/// ```swift
/// let replayer = TrafficReplayer(port: 8080, concurrency: 4, timeLimit: .seconds(90))
/// let records = try await replayer.replay(VisitMix(seed: 1).visits(600))
/// ```
public struct TrafficReplayer: Sendable {
    /// The loopback address the server listens on.
    public static let host = "127.0.0.1"
    /// The server's port.
    public var port: Int
    /// Visits in flight at once.
    public var concurrency: Int
    /// No visit starts later than this after the first.
    public var timeLimit: Duration
    /// Longest wait for one response.
    public var requestTimeout: Duration

    /// Creates a replayer for `127.0.0.1:port`.
    public init(
        port: Int, concurrency: Int = 4, timeLimit: Duration = .seconds(120), requestTimeout: Duration = .seconds(30)
    ) {
        self.port = port
        self.concurrency = max(1, concurrency)
        self.timeLimit = timeLimit
        self.requestTimeout = requestTimeout
    }

    /// Sends `visits` in order, `concurrency` at a time, and returns a record of each visit that was sent, in order.
    /// Visits left when the time limit passes are not sent. The client is one of its own that starts no spans: the
    /// replayer stands for browsers, whose requests the server's traces start from. `progress`, if given, advances
    /// with each response.
    public func replay(_ visits: [Visit], progress: ReplayProgress? = nil) async throws -> [ReplayRecord] {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let records = await self.replay(visits, client: client, progress: progress)
        progress?.finish(note: records.count < visits.count ? "time limit reached" : nil)
        try await client.shutdown()
        return records
    }

    private func replay(_ visits: [Visit], client: HTTPClient, progress: ReplayProgress?) async -> [ReplayRecord] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: self.timeLimit)
        return await withTaskGroup(of: (Int, ReplayRecord).self) { inFlight in
            var nextIndex = 0
            func sendNext() {
                let index = nextIndex
                nextIndex += 1
                inFlight.addTask { (index, await self.send(visits[index], client: client, clock: clock)) }
            }
            while nextIndex < min(self.concurrency, visits.count) { sendNext() }
            var records: [(Int, ReplayRecord)] = []
            // Each response lets the next visit go, until the visits run out or the time limit passes.
            for await record in inFlight {
                records.append(record)
                progress?.advance()
                if nextIndex < visits.count, clock.now < deadline { sendNext() }
            }
            return records.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Sends one visit and reads the whole response, keeping its body if asked to.
    public func send(
        _ visit: Visit,
        keepingBody: Bool = false,
        client: HTTPClient = .shared,
        clock: ContinuousClock = ContinuousClock()
    ) async -> ReplayRecord {
        let request = HTTPClientRequest(url: "http://\(Self.host):\(self.port)\(visit.target)")
        let started = clock.now
        do {
            let response = try await client.execute(
                request, timeout: .nanoseconds(Int64(self.requestTimeout.nanoseconds)))
            let body = try await response.body.collect(upTo: 16 << 20)
            return ReplayRecord(
                visit: visit,
                status: Int(response.status.code),
                cacheStatus: response.headers.first(name: "X-Cache"),
                age: response.headers.first(name: "Age").flatMap { Int($0) },
                body: keepingBody ? Array(buffer: body) : [],
                bodySize: body.readableBytes,
                latency: clock.now - started,
                failure: nil
            )
        } catch {
            return ReplayRecord(
                visit: visit, status: nil, cacheStatus: nil, age: nil, body: [], bodySize: 0,
                latency: clock.now - started,
                failure: String(describing: error)
            )
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int {
        let (seconds, attoseconds) = self.components
        return Int(seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000)
    }
}
