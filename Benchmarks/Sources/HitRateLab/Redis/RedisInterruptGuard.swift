import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// While a replay has changed a server's `maxmemory` and policy, makes SIGINT and SIGTERM put them back and delete
/// the tool's keys before the process ends (see ``RedisAdminConnection/restoreAndExit(_:keyPattern:signal:stopWriters:)``).
/// ``cancel()`` gives the signals their default behaviour back.
final class RedisInterruptGuard: @unchecked Sendable {
    // @unchecked Sendable: `sources` is set once in init and only read afterwards; dispatch sources are thread-safe.
    private let sources: [any DispatchSourceSignal]

    init(
        admin: RedisAdminConnection, restoreCommands: [[String]], keyPattern: String,
        stopWriters: @escaping @Sendable () -> Void
    ) {
        self.sources = [SIGINT, SIGTERM].map { number in
            // The default action would end the process at once; ignored, the dispatch source still sees it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                admin.restoreAndExit(restoreCommands, keyPattern: keyPattern, signal: number, stopWriters: stopWriters)
            }
            source.resume()
            return source
        }
    }

    /// Stops watching the signals and restores their default actions.
    func cancel() {
        for source in self.sources {
            source.cancel()
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
