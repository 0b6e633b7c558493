import AsyncHTTPClient
import CacheLayer
import Logging

/// The fault scenario: the endpoint's cached pages are served while the database fails or stalls for a window, once
/// without and once with stale if error, to compare what clients get during the outage.
///
/// Each pass empties the cache, starts the server with a short TTL (so that every page goes stale during the
/// outage), loads every cacheable page once, then runs a few clients in a closed loop over them: a warm-up, the
/// outage, a recovery. It runs on a database of its own, at the small scale, so that a page loads in well under the
/// soft timeout even on a busy machine (the main job's pages take seconds there).
///
/// ```swift
/// let scenario = FaultScenario(mode: .fail)
/// let without = try await scenario.run(staleIfError: false, database: database, cache: cache, logger: logger)
/// let with = try await scenario.run(staleIfError: true, database: database, cache: cache, logger: logger)
/// ```
public struct FaultScenario: Sendable {
    /// How the database misbehaves during the outage.
    public var mode: DatabaseFault.Mode
    /// Before the outage (after every page was loaded once).
    public var warmUp = Duration.seconds(1)
    /// How long the database misbehaves.
    public var outage = Duration.seconds(3)
    /// After the outage.
    public var recovery = Duration.seconds(1)
    /// How long a stalled query waits.
    public var stall = Duration.seconds(2)
    /// The pages' TTL: short, so that they go stale during the outage.
    public var ttl = Duration.seconds(1)
    /// Clients sending requests one after another.
    public var clients = 4

    /// The policy of the stale-if-error pass: stale pages kept for a minute, a failed page served stale without
    /// asking the database again for a second, and a slow load given up for the stale page after 500 ms.
    public static let staleIfErrorPolicy = LoadPolicy(
        maximumStaleAge: .seconds(60), failSafeThrottle: .seconds(1), softTimeout: .milliseconds(500),
        hardTimeout: .seconds(1))

    /// The scale of the scenario's database.
    public static let scale = DatabaseScale.small

    /// The pages the clients ask for: page 1 of every common status (and of none), by each common sort.
    public static let visits: [Visit] = {
        let statuses: [OrderStatus?] = [nil, .open, .processing, .shipped, .delivered]
        return statuses.flatMap { status in
            [OrderItemsSort.newest, .total].map { Visit(OrderItemsQuery(status: status, sort: $0)) }
        }
    }()

    /// Creates the scenario.
    public init(mode: DatabaseFault.Mode) {
        self.mode = mode
    }

    /// The endpoint's boundary for one pass.
    public func boundaries(staleIfError: Bool) throws -> CacheBoundaries {
        var endpoint = OrderItemsBoundary.endpoint(highestCachedPage: 1)
        endpoint.ttl = self.ttl
        if staleIfError { endpoint.loadPolicy = Self.staleIfErrorPolicy }
        return try CacheBoundaries([endpoint])
    }

    /// Runs one pass and returns every request it sent.
    public func run(
        staleIfError: Bool, database: OrderDatabase, cache: Cache, logger: Logger
    ) async throws
        -> FaultPassResult
    {
        try await cache.removeAll()
        let fault = DatabaseFault(stall: self.stall)
        let boundaries = try self.boundaries(staleIfError: staleIfError)
        let samples = try await RunningServer.with(
            logger: logger,
            server: { reportPort in
                try OrderItemsApplication.make(
                    database: database, cache: cache, boundaries: boundaries, logger: logger,
                    onServerRunning: reportPort, fault: fault
                )
            }
        ) { port in
            try await self.drive(port: port, fault: fault)
        }
        return FaultPassResult(
            staleIfError: staleIfError, samples: samples, outage: self.warmUp..<(self.warmUp + self.outage))
    }

    /// The clients' loop, and the switch of the fault at the window's edges.
    private func drive(port: Int, fault: DatabaseFault) async throws -> [FaultSample] {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let replayer = TrafficReplayer(port: port, requestTimeout: .seconds(10))
        let clock = ContinuousClock()
        // Every page is stored before the clock starts.
        await withTaskGroup(of: Void.self) { group in
            for visit in Self.visits {
                group.addTask { _ = await replayer.send(visit, client: client, clock: clock) }
            }
        }
        let start = clock.now
        let end = start + self.warmUp + self.outage + self.recovery
        let mode = self.mode
        let (outageStart, outageEnd) = (start + self.warmUp, start + self.warmUp + self.outage)
        let samples = await withTaskGroup(of: [FaultSample].self) { group in
            group.addTask {
                try? await Task.sleep(until: outageStart, clock: clock)
                fault.begin(mode)
                try? await Task.sleep(until: outageEnd, clock: clock)
                fault.end()
                return []
            }
            for first in 0..<self.clients {
                group.addTask {
                    var samples: [FaultSample] = []
                    var next = first
                    while clock.now < end {
                        let visit = Self.visits[next % Self.visits.count]
                        next += 1
                        let sent = clock.now
                        let record = await replayer.send(visit, client: client, clock: clock)
                        samples.append(
                            FaultSample(
                                sentAt: sent - start, status: record.status, cacheStatus: record.cacheStatus,
                                latency: record.latency))
                    }
                    return samples
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        try await client.shutdown()
        return samples
    }
}

/// One request of the fault scenario.
public struct FaultSample: Sendable {
    /// When it was sent, from the pass's start.
    public var sentAt: Duration
    /// Its HTTP status; `nil` when the request failed.
    public var status: Int?
    /// Its `X-Cache` header.
    public var cacheStatus: String?
    /// From sending it to having read the whole response.
    public var latency: Duration
}
