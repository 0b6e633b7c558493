import Logging
import ServiceLifecycle

/// Runs a service for the length of a closure: starts it, runs `body`, then shuts the service down gracefully and
/// waits until it has stopped (an exporter flushes, a server finishes its requests).
public enum RunningService {
    /// Runs `service` while `body` runs; `onStop` is called when the service has stopped, however it stopped.
    public static func with<Result: Sendable>(
        _ service: some Service,
        logger: Logger,
        onStop: @escaping @Sendable () -> Void = {},
        _ body: () async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [], logger: logger)
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { onStop() }
                try await group.run()
            }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
