import CHiredis
import CacheLayer
import Synchronization
import Tracing

/// One Redis connection and the OS thread that drives it.
///
/// Callers enqueue commands and suspend; the thread takes everything queued, writes it as one pipelined batch,
/// reads the replies in order and resumes each caller with its own reply. While a batch is on the wire, new
/// commands queue up for the next one, so concurrency turns into pipelining by itself. Blocking hiredis calls run
/// only on this thread, never on Swift's cooperative pool.
///
/// Replies always match requests: the moment a write, a read or a reply fails (timeout, closed socket, protocol
/// error), the context is freed with whatever replies were unread, every request sent on it and every request
/// waiting fails with a typed error, and a new connection is made after a backoff. While disconnected (backing
/// off, or held by the open circuit breaker), calls fail at once instead of waiting, and ``isRefusing`` tells the
/// pool to prefer another connection. When the thread ends (``stop()``), every request still queued fails: no
/// caller is left waiting.
///
/// Between batches the thread polls for new work for a short while (``pollingNanoseconds``) before it sleeps on
/// the condition: a caller that sends its next command right after its reply (one task awaiting call after call)
/// then finds the thread awake, and neither signals the condition nor waits for the thread to be scheduled. An
/// idle connection sleeps: the polling ends after that while, whatever the traffic was. The polling makes no
/// system call (a `sched_yield` per turn hands the processor away for a whole time slice on a busy machine).
/// Callers do not poll for their replies: spinning on the cooperative pool while the reply is on its way measured
/// far slower on a loaded machine (Benchmarks/README.md, "Redis near the wire and a free facade").
///
/// `@unchecked Sendable`: the mutable state (`queue`, `stopping`, `idle`, `refusal`, `paused`, `wakeRequested`) is
/// touched only with `lock` held; `refusing`, `hasQueued` and `inFlight` are atomic; the connection itself is
/// touched only by the worker's thread.
final class ConnectionWorker: @unchecked Sendable {
    /// A request that got no reply.
    struct Failure: Error {
        let error: CacheError
        /// Whether the command may have reached the server (it was written, or partly written, before the
        /// connection failed): then it may have run, and only an idempotent command may be sent again.
        let mayHaveRun: Bool
    }

    /// A reply, or why there is none.
    typealias Outcome = Result<RedisReply, Failure>

    struct Request {
        let command: RedisCommand
        /// Send `ASKING` right before the command, on this connection (a cluster's ASK redirection). Its reply is
        /// read and dropped; the caller gets the command's.
        let asking: Bool
        let continuation: UnsafeContinuation<Outcome, Never>
    }

    static let shutDown = CacheError(.backendUnavailable, "the Redis backend was shut down")

    private let settings: ConnectionSettings
    /// This connection's place in its pool (for test hooks).
    private let index: Int
    private let breaker: CircuitBreaker
    private let group: ConnectionGroup
    private let onConnect: @Sendable ((address: String, port: Int)?) -> Void
    private let lock = ConditionLock()
    /// Mirrors `refusal != nil || stopping`, readable without the lock.
    private let refusing = Atomic<Bool>(false)
    /// Mirrors `!queue.isEmpty || stopping`, for the thread to poll without the lock between batches.
    private let hasQueued = Atomic<Bool>(false)
    /// Calls sent and not yet returned to their caller (the pool prefers a connection with none).
    private let inFlight = Atomic<Int>(0)

    /// How long the thread polls for the next request after a batch before it sleeps on the condition: a little
    /// more than a loopback round trip on a busy machine, so that a caller awaiting one call after another finds
    /// it awake.
    static let pollingNanoseconds: UInt64 = 100_000

    // Guarded by `lock`.
    private var queue: [Request] = []
    private var stopping = false
    private var idle = false
    /// Set while disconnected: calls fail with it at once.
    private var refusal: CacheError?
    /// Whether the thread is waiting out a backoff or the breaker (only then does ``wake()`` do anything).
    private var paused = false
    /// Set by ``wake()``: the pause in progress ends now.
    private var wakeRequested = false

    init(
        settings: ConnectionSettings,
        index: Int,
        breaker: CircuitBreaker,
        group: ConnectionGroup,
        onConnect: @escaping @Sendable ((address: String, port: Int)?) -> Void
    ) {
        self.settings = settings
        self.index = index
        self.breaker = breaker
        self.group = group
        self.onConnect = onConnect
    }

    /// Starts the connection thread. It connects, then serves until ``stop()``.
    func start() {
        IOThread.start(name: "cachelayer-redis") { self.run() }
    }

    /// Asks the thread to stop: queued requests fail, and the thread exits after its current batch.
    func stop() {
        self.lock.withLock {
            self.stopping = true
            self.refusing.store(true, ordering: .relaxed)
            self.hasQueued.store(true, ordering: .releasing)
            self.lock.signal()
        }
    }

    /// Ends the current backoff or breaker wait early, if there is one: another connection of the pool just
    /// reached the server.
    func wake() {
        self.lock.withLock {
            guard self.paused else { return }
            self.wakeRequested = true
            self.lock.signal()
        }
    }

    /// Whether a call sent now would be refused at once (backing off, behind the open breaker, or stopped).
    var isRefusing: Bool {
        self.refusing.load(ordering: .relaxed)
    }

    /// Whether no call sent on this connection is still waiting for its reply.
    var isQuiet: Bool {
        self.inFlight.load(ordering: .relaxed) == 0
    }

    /// How many requests wait for the thread to take them (tests use it to know a call is queued).
    var queuedRequestCount: Int {
        self.lock.withLock { self.queue.count }
    }

    /// Sends `command` (preceded by `ASKING` when `asking` is set) and returns its reply, or why there is none.
    ///
    /// A call refused at once (disconnected, or shut down) still yields its thread before returning: a task
    /// looping on calls that fail fast would otherwise never suspend, and enough of them hold every thread of the
    /// cooperative pool, so callers whose replies have arrived cannot resume.
    func send(_ command: RedisCommand, asking: Bool = false) async -> Outcome {
        var refusedAtOnce = false
        self.inFlight.wrappingAdd(1, ordering: .relaxed)
        defer { self.inFlight.wrappingSubtract(1, ordering: .relaxed) }
        let outcome: Outcome = await withUnsafeContinuation { continuation in
            let refused: CacheError? = self.lock.withLock {
                if let refusal = self.refusal { return refusal }
                if self.stopping { return Self.shutDown }
                self.queue.append(Request(command: command, asking: asking, continuation: continuation))
                self.hasQueued.store(true, ordering: .releasing)
                if self.idle {
                    self.lock.signal()
                }
                return nil
            }
            if let refused {
                refusedAtOnce = true
                continuation.resume(returning: .failure(Failure(error: refused, mayHaveRun: false)))
            }
        }
        if refusedAtOnce {
            await Task.yield()
        }
        return outcome
    }

    // MARK: The connection thread

    private func run() {
        var connection: HiredisConnection?
        var batch: [Request] = []
        batch.reserveCapacity(256)
        var failures = 0
        // Every way out of the loop is a stop; whatever was queued meanwhile fails, so nobody waits forever.
        defer { self.failQueued(Self.shutDown, mayHaveRun: false) }

        while true {
            if connection == nil {
                guard self.connect(into: &connection, failures: &failures) else { return }
                continue
            }
            // Take everything queued; poll a little, then sleep, when there is nothing.
            self.pollForWork()
            let stop: Bool = self.lock.withLock {
                while self.queue.isEmpty && !self.stopping {
                    self.idle = true
                    self.lock.wait()
                    self.idle = false
                }
                swap(&self.queue, &batch)
                self.hasQueued.store(self.stopping, ordering: .relaxed)
                return self.stopping
            }
            if stop {
                self.fail(batch, Self.shutDown, mayHaveRun: false)
                return
            }
            if let error = self.exchange(&batch, on: connection!) {
                // The context may hold unread replies or half a reply: it is never used again.
                connection = nil
                _ = self.hook(.dropped)
                // Reconnect after a backoff, like after a failed attempt; calls meanwhile fail at once (the pool
                // sends them to another connection when it has one). `pause` fails what is queued, after marking
                // the connection refusing: failing it first would let a caller see its call fail while
                // ``isRefusing`` still said the connection was up.
                failures += 1
                let refusal = CacheError(
                    .backendUnavailable, "the Redis connection is reconnecting after it failed: \(error.message)")
                guard
                    self.pause(until: monotonicNanoseconds() + self.backoff(afterFailures: failures), refusal: refusal)
                else {
                    return
                }
            }
        }
    }

    /// Returns once a request is queued (or the thread is stopping), or after ``pollingNanoseconds`` without one.
    /// Takes no lock: a caller that queues meanwhile is seen at once.
    private func pollForWork() {
        guard !self.hasQueued.load(ordering: .acquiring) else { return }
        let deadline = monotonicNanoseconds() + Self.pollingNanoseconds
        repeat {
            cachelayer_cpu_relax()
            if self.hasQueued.load(ordering: .acquiring) { return }
        } while monotonicNanoseconds() < deadline
    }

    /// Sends a batch and hands each reply to its caller, in order. Returns the error that broke the connection,
    /// after failing every request of the batch that had no reply yet.
    private func exchange(_ batch: inout [Request], on connection: HiredisConnection) -> CacheError? {
        defer { batch.removeAll(keepingCapacity: true) }
        for request in batch {
            guard !request.asking || RedisCommand.asking.append(to: connection.context) == REDIS_OK,
                request.command.append(to: connection.context) == REDIS_OK
            else {
                // Only buffered so far: nothing of the batch reached the server.
                let error = CacheError(.backendError, "hiredis could not buffer \(request.command.name)")
                self.fail(batch, error, mayHaveRun: false)
                return error
            }
        }
        if let error = connection.flush() {
            self.fail(batch, error, mayHaveRun: true)
            return error
        }
        if self.settings.testHooks != nil, self.hook(.flushed(batch.map(\.command))) == .loseConnection {
            let error = CacheError(
                .backendUnavailable, "Redis connection failed while reading the replies (lost by a test hook)")
            self.fail(batch, error, mayHaveRun: true)
            return error
        }
        for index in batch.indices {
            if batch[index].asking, case .failure(let error) = connection.readReply(for: "ASKING") {
                self.fail(batch[index...], error, mayHaveRun: true)
                return error
            }
            switch connection.readReply(for: batch[index].command.name) {
            case .success(let reply):
                batch[index].continuation.resume(returning: .success(reply))
            case .failure(let error):
                self.fail(batch[index...], error, mayHaveRun: true)
                return error
            }
        }
        return nil
    }

    /// Connects (after any backoff the breaker or earlier failures ask for). Returns false when stopping.
    private func connect(into connection: inout HiredisConnection?, failures: inout Int) -> Bool {
        if case .wait(let until) = self.breaker.permission(now: monotonicNanoseconds()) {
            return self.pause(
                until: until,
                refusal: CacheError(
                    .backendUnavailable, "the Redis circuit breaker is open after repeated connection failures"))
        }
        _ = self.hook(.willConnect)
        switch HiredisConnection.connect(self.settings) {
        case .success(let made):
            failures = 0
            self.breaker.recordSuccess()
            self.onConnect(made.peer)
            _ = self.hook(.connected)
            let stopping: Bool = self.lock.withLock {
                if !self.stopping {
                    self.refusal = nil
                    self.refusing.store(false, ordering: .relaxed)
                }
                return self.stopping
            }
            // Stopped while connecting: `run` fails whatever was queued meanwhile.
            guard !stopping else { return false }
            connection = made
            self.group.serverReached(by: self)
            return true
        case .failure(let error):
            failures += 1
            self.breaker.recordFailure(now: monotonicNanoseconds())
            _ = self.hook(.connectFailed)
            // `pause` fails what is queued, after marking the connection refusing.
            return self.pause(until: monotonicNanoseconds() + self.backoff(afterFailures: failures), refusal: error)
        }
    }

    /// Refuses calls with `refusal` until `deadline` (or until ``wake()``), failing those already queued. Returns
    /// false when stopping.
    private func pause(until deadline: UInt64, refusal: CacheError) -> Bool {
        let now = monotonicNanoseconds()
        _ = self.hook(.pausing(nanoseconds: deadline > now ? deadline - now : 0))
        var waiting: [Request] = []
        let keepGoing: Bool = self.lock.withLock {
            self.refusal = refusal
            self.refusing.store(true, ordering: .relaxed)
            swap(&self.queue, &waiting)
            self.hasQueued.store(self.stopping, ordering: .relaxed)
            return !self.stopping
        }
        self.fail(waiting, refusal, mayHaveRun: false)
        guard keepGoing else { return false }
        return self.lock.withLock {
            self.paused = true
            while !self.stopping && !self.wakeRequested && monotonicNanoseconds() < deadline {
                self.lock.wait(until: deadline)
            }
            self.paused = false
            self.wakeRequested = false
            return !self.stopping
        }
    }

    /// Exponential backoff with full jitter: a random wait up to initial * 2^(failures-1), capped.
    private func backoff(afterFailures failures: Int) -> UInt64 {
        let initial = self.settings.reconnection.initialBackoff.nanoseconds
        let maximum = self.settings.reconnection.maximumBackoff.nanoseconds
        let shift = UInt64(min(max(failures, 1) - 1, 20))
        // No overflow: a ceiling past the maximum is the maximum.
        let ceiling = initial > maximum >> shift ? maximum : initial << shift
        return UInt64.random(in: (ceiling / 2)...max(ceiling, 1))
    }

    private func failQueued(_ error: CacheError, mayHaveRun: Bool) {
        var waiting: [Request] = []
        self.lock.withLock {
            swap(&self.queue, &waiting)
            self.hasQueued.store(self.stopping, ordering: .relaxed)
        }
        self.fail(waiting, error, mayHaveRun: mayHaveRun)
    }

    private func fail(_ requests: some Sequence<Request>, _ error: CacheError, mayHaveRun: Bool) {
        let failure = Failure(error: error, mayHaveRun: mayHaveRun)
        for request in requests {
            request.continuation.resume(returning: .failure(failure))
        }
    }

    private func hook(_ event: ConnectionTestHooks.Event) -> ConnectionTestHooks.Action {
        guard let hooks = self.settings.testHooks else { return .proceed }
        return hooks.handle(
            ConnectionTestHooks.Point(address: self.settings.address, connection: self.index, event: event))
    }
}
