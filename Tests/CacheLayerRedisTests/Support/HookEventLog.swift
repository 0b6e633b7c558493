import Synchronization

@testable import CacheLayerRedis

/// The hook events of a backend's connections, in order, with the monotonic time of each.
final class HookEventLog: Sendable {
    struct Entry: Sendable {
        let nanoseconds: UInt64
        let connection: Int
        let event: ConnectionTestHooks.Event
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ point: ConnectionTestHooks.Point) {
        let entry = Entry(nanoseconds: monotonicNanoseconds(), connection: point.connection, event: point.event)
        self.entries.withLock { $0.append(entry) }
    }

    var all: [Entry] { self.entries.withLock { $0 } }

    func count(where predicate: (Entry) -> Bool) -> Int {
        self.all.filter(predicate).count
    }
}
