import Synchronization

/// A switch that makes the database fail or stall while it is on, for the fault scenario: the endpoint's handler
/// asks it before each query (``beforeQuery()``).
///
/// ```swift
/// let fault = DatabaseFault(stall: .seconds(2))
/// fault.begin(.fail)  // every query throws DatabaseFault.Outage until end()
/// fault.end()
/// ```
public final class DatabaseFault: Sendable {
    /// How the database misbehaves.
    public enum Mode: String, Sendable, CaseIterable {
        /// Every query throws ``Outage`` at once (the handler answers 500).
        case fail
        /// Every query waits ``DatabaseFault/stall`` before it runs (until cancelled).
        case stall
    }

    /// The error a failing query throws.
    public struct Outage: Error, CustomStringConvertible {
        public var description: String { "the database is unavailable (simulated outage)" }
    }

    /// How long a stalled query waits before it runs.
    public let stall: Duration
    private let mode = Mutex<Mode?>(nil)

    /// A switch that is off, whose stalls last `stall`.
    public init(stall: Duration = .seconds(2)) {
        self.stall = stall
    }

    /// Makes queries misbehave as `mode` says, until ``end()``.
    public func begin(_ mode: Mode) { self.mode.withLock { $0 = mode } }

    /// Lets queries run normally again.
    public func end() { self.mode.withLock { $0 = nil } }

    /// Throws ``Outage`` or waits out the stall while the fault is on; returns at once otherwise.
    public func beforeQuery() async throws {
        switch self.mode.withLock({ $0 }) {
        case nil: return
        case .fail: throw Outage()
        case .stall: try await Task.sleep(for: self.stall)
        }
    }
}
