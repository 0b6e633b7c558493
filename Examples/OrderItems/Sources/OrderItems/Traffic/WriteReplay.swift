import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Replays visits with writes mixed in: after every `writeEvery` visits, one `PUT /admin/orders/:order/status`
/// (``OrderStatusWrite``) moves one of the given orders to its next status, and, once answered, reads the first
/// listing page again (the next read of a page that shows the order). Every read keeps its body, so that
/// ``StaleReadCheck`` can compare each page with the writes completed before it was asked for.
///
/// ```swift
/// let replay = WriteReplay(port: port, concurrency: 4, timeLimit: .seconds(60), writeEvery: 10)
/// let outcome = try await replay.replay(visits, orders: [17: .open, 42: .shipped])
/// let check = StaleReadCheck(outcome)  // check.staleReads == 0
/// ```
public struct WriteReplay: Sendable {
    /// One write the replay sent.
    public struct Write: Sendable {
        public var order: Int
        public var from: OrderStatus
        public var to: OrderStatus
        /// When it was sent, and when its response had been read.
        public var started: ContinuousClock.Instant
        public var completed: ContinuousClock.Instant
        /// The HTTP status, or `nil` when the request failed.
        public var status: Int?

        /// Whether the server applied it (a 2xx): its invalidation rule ran before the response was sent.
        public var applied: Bool { (200...299).contains(self.status ?? 0) }
    }

    /// One read the replay sent.
    public struct Read: Sendable {
        public var record: ReplayRecord
        /// When it was sent; the record's latency says when it ended.
        public var started: ContinuousClock.Instant
        /// Whether it is the read a write sent right after its response.
        public var followsWrite: Bool

        /// When its response had been read.
        public var completed: ContinuousClock.Instant { self.started + self.record.latency }
    }

    /// Everything the replay sent, and the statuses of the orders before it.
    public struct Outcome: Sendable {
        public var reads: [Read]
        public var writes: [Write]
        public var originalStatuses: [Int: OrderStatus]
    }

    /// The statuses a write moves an order through, in order; an order in another status moves to the first.
    public static let cycle: [OrderStatus] = [.open, .processing, .shipped, .delivered]

    public var port: Int
    public var concurrency: Int
    public var timeLimit: Duration
    public var writeEvery: Int

    /// Creates a replay against `127.0.0.1:port`.
    public init(port: Int, concurrency: Int = 4, timeLimit: Duration = .seconds(120), writeEvery: Int = 10) {
        self.port = port
        self.concurrency = max(1, concurrency)
        self.timeLimit = timeLimit
        self.writeEvery = max(1, writeEvery)
    }

    private enum Step: Sendable {
        case read(Visit)
        case write
    }

    private enum Done: Sendable {
        case read(Read)
        case write(Write, followUp: Read?)
    }

    /// Sends `visits` with a write after every ``writeEvery``, `concurrency` steps at a time, writing to `orders`
    /// (by id, with their current status) in turn. Steps left when the time limit passes are not sent.
    public func replay(_ visits: [Visit], orders: [Int: OrderStatus]) async throws -> Outcome {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var steps: [Step] = []
        for (index, visit) in visits.enumerated() {
            steps.append(.read(visit))
            if (index + 1) % self.writeEvery == 0, !orders.isEmpty { steps.append(.write) }
        }
        let writer = Writer(orders: orders)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: self.timeLimit)
        let done = await withTaskGroup(of: Done.self) { inFlight in
            var next = 0
            func sendNext() {
                let step = steps[next]
                next += 1
                inFlight.addTask { await self.run(step, writer: writer, client: client, clock: clock) }
            }
            while next < min(self.concurrency, steps.count) { sendNext() }
            var done: [Done] = []
            for await result in inFlight {
                done.append(result)
                if next < steps.count, clock.now < deadline { sendNext() }
            }
            return done
        }
        try await client.shutdown()
        var reads: [Read] = []
        var writes: [Write] = []
        for result in done {
            switch result {
            case .read(let read): reads.append(read)
            case .write(let write, let followUp):
                writes.append(write)
                if let followUp { reads.append(followUp) }
            }
        }
        return Outcome(
            reads: reads.sorted { $0.started < $1.started }, writes: writes.sorted { $0.started < $1.started },
            originalStatuses: orders)
    }

    private func run(_ step: Step, writer: Writer, client: HTTPClient, clock: ContinuousClock) async -> Done {
        let replayer = TrafficReplayer(port: self.port)
        switch step {
        case .read(let visit):
            let started = clock.now
            let record = await replayer.send(visit, keepingBody: true, client: client, clock: clock)
            return .read(Read(record: record, started: started, followsWrite: false))
        case .write:
            let (order, from) = writer.next()
            let to = Self.next(after: from)
            var request = HTTPClientRequest(
                url: "http://\(TrafficReplayer.host):\(self.port)"
                    + OrderStatusWrite.target(order: order, from: from, to: to))
            request.method = .PUT
            let started = clock.now
            let status: Int?
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                status = Int(response.status.code)
            } catch {
                status = nil
            }
            let write = Write(order: order, from: from, to: to, started: started, completed: clock.now, status: status)
            writer.finished(write)
            guard write.applied else { return .write(write, followUp: nil) }
            let followStarted = clock.now
            let record = await replayer.send(Visit(OrderItemsQuery()), keepingBody: true, client: client, clock: clock)
            return .write(write, followUp: Read(record: record, started: followStarted, followsWrite: true))
        }
    }

    /// The status a write moves an order in `status` to.
    public static func next(after status: OrderStatus) -> OrderStatus {
        guard let index = Self.cycle.firstIndex(of: status) else { return Self.cycle[0] }
        return Self.cycle[(index + 1) % Self.cycle.count]
    }

    /// Which order the next write moves, from which status: the orders in turn, each from the status its last
    /// applied write left it in.
    private final class Writer: Sendable {
        private struct State {
            var statuses: [Int: OrderStatus]
            var order: [Int]
            var next = 0
        }

        private let state: Mutex<State>

        init(orders: [Int: OrderStatus]) {
            self.state = Mutex(State(statuses: orders, order: orders.keys.sorted()))
        }

        func next() -> (order: Int, from: OrderStatus) {
            self.state.withLock { state in
                let order = state.order[state.next % state.order.count]
                state.next += 1
                return (order, state.statuses[order]!)
            }
        }

        func finished(_ write: Write) {
            guard write.applied else { return }
            self.state.withLock { $0.statuses[write.order] = write.to }
        }
    }
}
