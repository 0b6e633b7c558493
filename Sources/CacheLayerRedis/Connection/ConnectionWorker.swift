import CHiredis
import CacheLayer
import Synchronization
import Tracing

#if canImport(Glibc)
import Glibc
#endif

/// One Redis connection and the OS thread that drives it.
///
/// Callers enqueue commands and suspend; the thread takes everything queued, writes it as one pipelined batch,
/// reads the replies in order and resumes each caller with its own reply. While a batch is on the wire, new
/// commands queue up for the next one, so concurrency turns into pipelining by itself. Blocking hiredis calls run
/// only on this thread, never on Swift's cooperative pool.
///
/// Replies always match requests: the moment a write, a read or a reply fails (timeout, closed socket, protocol
/// error), the context is freed with whatever replies were unread, every request sent on it and every request
/// waiting fails with a typed error, and a new connection is made after a backoff. While disconnected, calls fail
/// at once instead of waiting.
///
/// `@unchecked Sendable`: the mutable state (`queue`, `stopping`, `idle`, `refusal`) is touched only with `lock`
/// held; the connection itself is touched only by the worker's thread.
final class ConnectionWorker: @unchecked Sendable {
    typealias Reply = Result<RedisReply, CacheError>

    struct Request {
        let command: RedisCommand
        /// Send `ASKING` right before the command, on this connection (a cluster's ASK redirection). Its reply is
        /// read and dropped; the caller gets the command's.
        let asking: Bool
        let continuation: UnsafeContinuation<Reply, Never>
    }

    private let configuration: RedisBackend.Configuration
    private let breaker: CircuitBreaker
    private let onConnect: @Sendable ((address: String, port: Int)?) -> Void
    private let lock = ConditionLock()

    // Guarded by `lock`.
    private var queue: [Request] = []
    private var stopping = false
    private var idle = false
    /// Set while disconnected: calls fail with it at once.
    private var refusal: CacheError?

    init(
        configuration: RedisBackend.Configuration,
        breaker: CircuitBreaker,
        onConnect: @escaping @Sendable ((address: String, port: Int)?) -> Void
    ) {
        self.configuration = configuration
        self.breaker = breaker
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
            self.lock.signal()
        }
    }

    /// Sends `command` (preceded by `ASKING` when `asking` is set) and returns its reply, or the error that ended
    /// the connection.
    func send(_ command: RedisCommand, asking: Bool = false) async -> Reply {
        await withUnsafeContinuation { continuation in
            let refused: CacheError? = self.lock.withLock {
                if let refusal = self.refusal { return refusal }
                if self.stopping { return CacheError(.backendUnavailable, "the Redis backend was shut down") }
                self.queue.append(Request(command: command, asking: asking, continuation: continuation))
                if self.idle {
                    self.lock.signal()
                }
                return nil
            }
            if let refused {
                continuation.resume(returning: .failure(refused))
            }
        }
    }

    // MARK: The connection thread

    private func run() {
        var connection: HiredisConnection?
        var batch: [Request] = []
        batch.reserveCapacity(256)
        var failures = 0

        while true {
            if connection == nil {
                guard self.connect(into: &connection, failures: &failures) else { return }
                continue
            }
            // Take everything queued; sleep when there is nothing.
            let stop: Bool = self.lock.withLock {
                while self.queue.isEmpty && !self.stopping {
                    self.idle = true
                    self.lock.wait()
                    self.idle = false
                }
                swap(&self.queue, &batch)
                return self.stopping
            }
            if stop {
                self.fail(batch, CacheError(.backendUnavailable, "the Redis backend was shut down"))
                return
            }
            if let error = self.exchange(&batch, on: connection!) {
                // The context may hold unread replies or half a reply: it is never used again.
                connection = nil
                self.failQueued(error)
            }
        }
    }

    /// Sends a batch and hands each reply to its caller, in order. Returns the error that broke the connection,
    /// after failing every request of the batch that had no reply yet.
    private func exchange(_ batch: inout [Request], on connection: HiredisConnection) -> CacheError? {
        defer { batch.removeAll(keepingCapacity: true) }
        for request in batch {
            guard !request.asking || RedisCommand.asking.append(to: connection.context) == REDIS_OK,
                request.command.append(to: connection.context) == REDIS_OK
            else {
                let error = CacheError(.backendError, "hiredis could not buffer \(request.command.name)")
                self.fail(batch, error)
                return error
            }
        }
        if let error = connection.flush() {
            self.fail(batch, error)
            return error
        }
        for index in batch.indices {
            if batch[index].asking, case .failure(let error) = connection.readReply(for: "ASKING") {
                self.fail(batch[index...], error)
                return error
            }
            switch connection.readReply(for: batch[index].command.name) {
            case .success(let reply):
                batch[index].continuation.resume(returning: .success(reply))
            case .failure(let error):
                self.fail(batch[index...], error)
                return error
            }
        }
        return nil
    }

    /// Connects (after any backoff the breaker or earlier failures ask for). Returns false when stopping.
    private func connect(into connection: inout HiredisConnection?, failures: inout Int) -> Bool {
        let now = monotonicNanoseconds()
        if case .wait(let until) = self.breaker.permission(now: now) {
            return self.pause(until: until, refusal: CacheError(.backendUnavailable, "the Redis circuit breaker is open after repeated connection failures"))
        }
        switch HiredisConnection.connect(self.configuration) {
        case .success(let made):
            failures = 0
            self.breaker.recordSuccess()
            self.onConnect(made.peer)
            connection = made
            return self.lock.withLock {
                self.refusal = nil
                return !self.stopping
            }
        case .failure(let error):
            failures += 1
            self.breaker.recordFailure(now: monotonicNanoseconds())
            self.failQueued(error)
            return self.pause(until: monotonicNanoseconds() + self.backoff(afterFailures: failures), refusal: error)
        }
    }

    /// Refuses calls with `refusal` until `deadline`, failing those already queued. Returns false when stopping.
    private func pause(until deadline: UInt64, refusal: CacheError) -> Bool {
        var waiting: [Request] = []
        let keepGoing: Bool = self.lock.withLock {
            self.refusal = refusal
            swap(&self.queue, &waiting)
            return !self.stopping
        }
        self.fail(waiting, refusal)
        guard keepGoing else { return false }
        return self.lock.withLock {
            while !self.stopping && monotonicNanoseconds() < deadline {
                self.lock.wait(until: deadline)
            }
            return !self.stopping
        }
    }

    /// Exponential backoff with full jitter: a random wait up to initial * 2^(failures-1), capped.
    private func backoff(afterFailures failures: Int) -> UInt64 {
        let initial = self.configuration.reconnection.initialBackoff.nanoseconds
        let maximum = self.configuration.reconnection.maximumBackoff.nanoseconds
        let ceiling = min(maximum, initial << UInt64(min(failures - 1, 20)))
        return UInt64.random(in: (ceiling / 2)...max(ceiling, 1))
    }

    private func failQueued(_ error: CacheError) {
        var waiting: [Request] = []
        self.lock.withLock { swap(&self.queue, &waiting) }
        self.fail(waiting, error)
    }

    private func fail(_ requests: some Sequence<Request>, _ error: CacheError) {
        for request in requests {
            request.continuation.resume(returning: .failure(error))
        }
    }
}
