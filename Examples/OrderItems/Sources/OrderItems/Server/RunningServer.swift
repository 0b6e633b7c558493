import Logging
import ServiceLifecycle

/// Runs a server for the length of a closure: starts it, waits until it listens, calls `body` with its port, then
/// shuts it down gracefully and waits until it has stopped.
///
/// ```swift
/// try await RunningServer.with(logger: logger, server: { reportPort in
///     try OrderItemsApplication.make(database: database, cache: cache, boundaries: boundaries, logger: logger,
///                                onServerRunning: reportPort)
/// }) { port in
///     // requests to 127.0.0.1:port
/// }
/// ```
public enum RunningServer {
    /// Runs the service `server` makes (given the function it must call with its port once it listens) while
    /// `body` runs.
    /// - Throws: the server's error, or ``ServerStartError``, when it stops before listening.
    public static func with<Result: Sendable>(
        logger: Logger,
        server: (_ reportPort: @escaping @Sendable (Int) async -> Void) throws -> some Service,
        _ body: (_ port: Int) async throws -> Result
    ) async throws -> Result {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let service = try server { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        // However the server stops, nobody is left waiting for its port.
        return try await RunningService.with(service, logger: logger, onStop: { portContinuation.finish() }) {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ServerStartError() }
            return try await body(port)
        }
    }
}
