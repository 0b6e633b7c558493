import Synchronization

/// Counts loader (or handler) runs across tasks.
public final class LoadCounter: Sendable {
    private let value = Mutex(0)
    public init() {}
    public func increment() { self.value.withLock { $0 += 1 } }
    public var count: Int { self.value.withLock { $0 } }
}

/// Holds a loader until the test opens it, so waiters pile up deterministically.
public final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    public init() {}

    public func wait() async {
        await withCheckedContinuation { continuation in
            let open = self.state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    /// Whether ``open()`` was called.
    public var isOpen: Bool { self.state.withLock { $0.open } }

    public func open() {
        let waiters = self.state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}
