import AsyncHTTPClient
import NIOCore

/// Sends the health scenarios' requests over loopback HTTP/1.1, a few at a time: like ``TrafficReplayer``, but each
/// request is a target of its own (a scenario may add a parameter no ``Visit`` has).
struct ScenarioRequests: Sendable {
    var port: Int
    var concurrency: Int
    let client: HTTPClient

    init(port: Int, concurrency: Int) {
        self.port = port
        self.concurrency = max(1, concurrency)
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil  // the client stands for browsers: the server's traces start the trace
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sends every request, `concurrency` at a time, and returns their records in order.
    func send(_ requests: [(visit: Visit, target: String)]) async -> [ReplayRecord] {
        await withTaskGroup(of: (Int, ReplayRecord).self) { inFlight in
            var next = 0
            func sendNext() {
                let index = next
                next += 1
                inFlight.addTask { (index, await self.send(requests[index].visit, target: requests[index].target)) }
            }
            while next < min(self.concurrency, requests.count) { sendNext() }
            var records: [(Int, ReplayRecord)] = []
            for await record in inFlight {
                records.append(record)
                if next < requests.count { sendNext() }
            }
            return records.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func shutdown() async throws {
        try await self.client.shutdown()
    }

    private func send(_ visit: Visit, target: String) async -> ReplayRecord {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let request = HTTPClientRequest(url: "http://\(TrafficReplayer.host):\(self.port)\(target)")
            let response = try await self.client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            return ReplayRecord(
                visit: visit, status: Int(response.status.code), cacheStatus: response.headers.first(name: "X-Cache"),
                age: nil, body: [], bodySize: body.readableBytes, latency: clock.now - started, failure: nil)
        } catch {
            return ReplayRecord(
                visit: visit, status: nil, cacheStatus: nil, age: nil, body: [], bodySize: 0,
                latency: clock.now - started, failure: String(describing: error))
        }
    }
}
