import CHiredis
import CacheLayer
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Redis node's invalidation connection: the connection that Redis tells which keys changed.
///
/// On a thread of its own (its reads block), it connects and logs in like a data connection, then runs
/// `CLIENT ID`, `CLIENT TRACKING on REDIRECT <its own id> BCAST [PREFIX <key prefix>]` and
/// `SUBSCRIBE __redis__:invalidate`. From then on the server sends it, as pub/sub messages (RESP2), every key
/// under the prefix that any client changes, and a null when the database is flushed. Tracking lives on this
/// connection only (broadcast mode remembers no keys per reader), so the data connections need no set-up, and
/// when this connection dies the tracking dies with it, on the server and here: ``Event/disarmed``.
///
/// A `PING` goes out ``heartbeatInterval`` after the last one was answered, and at once when readers ask for it
/// (``requestConfirmation()``) and none is unanswered; its `pong` proves that every invalidation the server sent
/// before it has arrived and been applied (one connection delivers in order, and the thread applies each message
/// before it reads the next), which is what ``lastConfirmed`` records and ``Event/confirmed(at:)`` reports. No
/// `pong` within the command timeout counts as a dead connection (a network that drops packets without closing the
/// socket).
final class InvalidationListener: Sendable {
    /// What the listener reports, on its own thread, in order.
    enum Event: Sendable {
        /// Tracking and the subscription are in place since this clock time (``CacheClock`` nanoseconds): from
        /// then on every change is reported. The memory tier must be emptied before the event returns: it may hold
        /// what changed while no connection was armed.
        case armed(at: UInt64)
        /// These Redis keys changed.
        case invalidated([[UInt8]])
        /// The server flushed its data (a null invalidation).
        case flushedByServer
        /// The connection was lost: changes are no longer reported until ``armed`` again.
        case disarmed
        /// Every invalidation the server sent before this clock time (``CacheClock`` nanoseconds, when the
        /// answered `PING` was sent) has been reported.
        case confirmed(at: UInt64)
    }

    /// The connection index under which the listener reports to ``ConnectionTestHooks`` (data connections count
    /// from 0).
    static let hookConnectionIndex = -1

    let settings: ConnectionSettings
    let keyPrefix: [UInt8]
    let heartbeatInterval: Duration
    private let clock: any CacheClock
    private let onEvent: @Sendable (InvalidationListener, Event) -> Void
    private let stopping = Atomic<Bool>(false)
    private let clientIdentifier = Atomic<Int64>(-1)
    private let confirmed = Atomic<UInt64>(0)
    /// Wakes the thread when readers want a confirmation; `nil` if no pipe could be opened (the thread then sees
    /// requests within its 20 ms poll).
    private let wakeup = WakeupPipe()
    private let confirmationRequested = Atomic<Bool>(false)

    /// Makes the listener; ``start()`` starts its thread, which reports to `onEvent`.
    init(
        settings: ConnectionSettings,
        keyPrefix: [UInt8],
        heartbeatInterval: Duration,
        clock: any CacheClock,
        onEvent: @escaping @Sendable (InvalidationListener, Event) -> Void
    ) {
        self.settings = settings
        self.keyPrefix = keyPrefix
        self.heartbeatInterval = heartbeatInterval
        self.clock = clock
        self.onEvent = onEvent
    }

    /// The server's id of the connection while it is armed, `nil` otherwise (tests kill it with `CLIENT KILL ID`).
    var clientID: Int64? {
        let identifier = self.clientIdentifier.load(ordering: .acquiring)
        return identifier >= 0 ? identifier : nil
    }

    /// The clock time (``CacheClock``, in nanoseconds) up to which every invalidation is known to have arrived:
    /// when the last answered heartbeat was sent, or when tracking was armed.
    var lastConfirmed: UInt64 { self.confirmed.load(ordering: .acquiring) }

    /// Asks the thread to send a `PING` now (unless one is unanswered), so that ``Event/confirmed(at:)`` follows
    /// within a round trip. Never waits.
    func requestConfirmation() {
        guard !self.confirmationRequested.load(ordering: .relaxed),
            self.confirmationRequested.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
        else { return }
        self.wakeup?.signal()
    }

    func start() {
        IOThread.start(name: "cl-invalidate") { self.run() }
    }

    /// Stops the thread (within one poll interval) and closes the connection.
    func stop() {
        self.stopping.store(true, ordering: .releasing)
    }

    private var isStopping: Bool { self.stopping.load(ordering: .acquiring) }

    // MARK: The thread

    private func run() {
        var failures = 0
        while !self.isStopping {
            _ = self.hook(.willConnect)
            guard case .success(let connection) = HiredisConnection.connect(self.settings),
                let identifier = self.arm(connection)
            else {
                failures += 1
                _ = self.hook(.connectFailed)
                self.sleep(milliseconds: min(500, 10 << min(failures, 6)))
                continue
            }
            failures = 0
            _ = self.hook(.connected)
            if self.isStopping { return }
            let armedAt = self.clock.now().nanoseconds
            self.clientIdentifier.store(identifier, ordering: .releasing)
            self.onEvent(self, .armed(at: armedAt))
            // Confirmed only now that memory no longer holds what changed while the connection was down: the
            // outage answer (TwoTierBackend) serves memory within its limit of this time.
            self.confirmed.store(armedAt, ordering: .releasing)
            self.listen(on: connection)
            self.clientIdentifier.store(-1, ordering: .releasing)
            if self.isStopping { return }
            self.onEvent(self, .disarmed)
            _ = self.hook(.dropped)
        }
    }

    /// Sets up tracking and the subscription. Returns the connection's client id, or `nil` on any failure.
    private func arm(_ connection: HiredisConnection) -> Int64? {
        guard
            case .success(.integer(let identifier)) = self.roundTrip(
                RedisCommand("CLIENT", Array("ID".utf8)), on: connection)
        else { return nil }
        var tracking: [[UInt8]] = ["CLIENT", "TRACKING", "on", "REDIRECT", String(identifier), "BCAST"].map {
            Array($0.utf8)
        }
        if !self.keyPrefix.isEmpty {
            tracking += [Array("PREFIX".utf8), self.keyPrefix]
        }
        guard case .success(.status) = self.roundTrip(RedisCommand(tracking), on: connection),
            case .success(let subscribed) = self.roundTrip(
                RedisCommand("SUBSCRIBE", InvalidationMessage.channel), on: connection),
            InvalidationMessage(subscribed) == .subscribed
        else { return nil }
        return identifier
    }

    private func roundTrip(_ command: RedisCommand, on connection: HiredisConnection) -> Result<RedisReply, CacheError>
    {
        guard command.append(to: connection.context) == REDIS_OK else {
            return .failure(CacheError(.backendError, "hiredis could not buffer \(command.name)"))
        }
        if let error = connection.flush() { return .failure(error) }
        return connection.readReply(for: command.name)
    }

    /// Reads messages until the connection fails, a heartbeat goes unanswered, or the listener stops.
    private func listen(on connection: HiredisConnection) {
        let context = connection.context
        let heartbeat = self.heartbeatInterval.nanoseconds
        let deadline = self.settings.commandTimeout.nanoseconds
        var lastAnswered = monotonicNanoseconds()
        var pingSent: (monotonic: UInt64, clock: UInt64)?
        // The socket, and the pipe that readers wake the thread through (poll skips a negative descriptor).
        var descriptors = [
            pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: self.wakeup?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        while !self.isStopping {
            // Everything already read and parsed first.
            while true {
                var raw: UnsafeMutableRawPointer?
                guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { return }
                guard let raw else { break }
                let reply = RedisReply(raw.assumingMemoryBound(to: redisReply.self))
                freeReplyObject(raw)
                switch InvalidationMessage(reply) {
                case .keys(let keys):
                    self.onEvent(self, .invalidated(keys))
                case .flushAll:
                    self.onEvent(self, .flushedByServer)
                case .pong:
                    if let sent = pingSent {
                        self.confirmed.store(sent.clock, ordering: .releasing)
                        self.onEvent(self, .confirmed(at: sent.clock))
                        lastAnswered = monotonicNanoseconds()
                        pingSent = nil
                    }
                case .subscribed, .other:
                    break
                }
            }
            // Then a PING, when none is unanswered and the heartbeat is due or readers asked for one; checked on
            // every pass, so that a busy connection confirms as often as an idle one.
            let now = monotonicNanoseconds()
            if let sent = pingSent {
                if now &- sent.monotonic > deadline { return }
            } else if self.confirmationRequested.load(ordering: .relaxed) || now &- lastAnswered >= heartbeat {
                // Cleared before the PING goes out: a request made after this is answered by a later one.
                self.confirmationRequested.store(false, ordering: .relaxed)
                let sentAt = (now, self.clock.now().nanoseconds)
                guard RedisCommand("PING").append(to: context) == REDIS_OK, connection.flush() == nil else { return }
                pingSent = sentAt
            }
            descriptors[0].revents = 0
            descriptors[1].revents = 0
            let ready = poll(&descriptors, 2, 20)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 {
                self.wakeup?.drain()
            }
            if descriptors[0].revents != 0 {
                guard redisBufferRead(context) == REDIS_OK else { return }
                _ = self.hook(.received)
            }
        }
    }

    private func sleep(milliseconds: Int) {
        var left = milliseconds
        while left > 0 && !self.isStopping {
            usleep(UInt32(min(left, 20)) * 1_000)
            left -= 20
        }
    }

    private func hook(_ event: ConnectionTestHooks.Event) -> ConnectionTestHooks.Action {
        guard let hooks = self.settings.testHooks else { return .proceed }
        return hooks.handle(
            ConnectionTestHooks.Point(
                address: self.settings.address, connection: Self.hookConnectionIndex, event: event)
        )
    }
}
