/// Points in a connection thread's life where a test observes it, holds it, or breaks its connection: races are
/// tested by stopping the thread at the exact point they need (a reconnect racing a shutdown, a reply lost after
/// a command ran), not by sleeping and hoping.
///
/// Internal: `@testable` tests set it through the backends' configurations (their internal `testHooks`), which
/// pass it on in ``ConnectionSettings/testHooks``. In production it is `nil`, and each point costs one check of it.
struct ConnectionTestHooks: Sendable {
    /// What the thread is doing.
    enum Event: Sendable {
        /// About to open a connection.
        case willConnect
        /// A connection was made and logged in; the thread has not yet looked whether it should stop.
        case connected
        /// A connection attempt failed.
        case connectFailed
        /// A working connection broke (a write or a read failed); its requests have been failed.
        case dropped
        /// The thread refuses calls and waits up to this many nanoseconds (backoff, or an open breaker).
        case pausing(nanoseconds: UInt64)
        /// A batch was written; its replies are read next.
        case flushed([RedisCommand])
        /// An invalidation connection read bytes from its socket; it parses and applies them next (a test that
        /// holds it here delays invalidations, as a thread starved of CPU would).
        case received
    }

    /// What the thread does after the hook returns.
    enum Action: Sendable {
        /// Go on as usual.
        case proceed
        /// Only after ``Event/flushed(_:)``: act as if the connection closed before any reply arrived (the
        /// commands were written, and may have run).
        case loseConnection
    }

    /// Where the thread is: which server, which of the pool's connections, what it is doing.
    struct Point: Sendable {
        let address: ConnectionSettings.Address
        let connection: Int
        let event: Event
    }

    /// Called on the connection thread, which it may block.
    let handle: @Sendable (Point) -> Action

    init(_ handle: @escaping @Sendable (Point) -> Action) {
        self.handle = handle
    }
}
