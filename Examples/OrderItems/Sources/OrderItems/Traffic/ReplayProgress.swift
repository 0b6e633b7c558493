import Foundation
import Synchronization

/// A progress line on standard error while a replay runs (`boundary pages 1-3   240/500 visits  12 s`), rewritten
/// in place, at most five times a second; finished with the line's last state. Prints nothing unless standard error
/// is a terminal, so logs and CI output stay clean.
public final class ReplayProgress: Sendable {
    private struct State {
        var done = 0
        var detail = ""
        var lastDrawn: ContinuousClock.Instant?
        var finished = false
    }

    /// What is replayed, at the start of the line.
    public let label: String
    /// How many requests there are in all.
    public let total: Int
    private let enabled: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    /// A progress line for `total` requests; `enabled` defaults to whether standard error is a terminal.
    public init(label: String, total: Int, enabled: Bool = isatty(FileHandle.standardError.fileDescriptor) == 1) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// Records that `count` more requests were answered, with an optional note (the scenario under way, say).
    public func advance(by count: Int = 1, detail: String? = nil) {
        guard self.enabled else { return }
        let line: String? = self.state.withLock { state in
            state.done += count
            if let detail { state.detail = detail }
            let now = ContinuousClock.now
            if let last = state.lastDrawn, now - last < .milliseconds(200), state.done < self.total { return nil }
            state.lastDrawn = now
            return self.line(state)
        }
        if let line { Self.write("\r\u{1B}[K" + line) }
    }

    /// Draws the final state, with `note` if given (why it stopped short, say), and ends the line.
    public func finish(note: String? = nil) {
        guard self.enabled else { return }
        let line: String? = self.state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            if let note { state.detail = note }
            return self.line(state)
        }
        if let line { Self.write("\r\u{1B}[K" + line + "\n") }
    }

    private func line(_ state: State) -> String {
        let seconds = Int((ContinuousClock.now - self.started).components.seconds)
        let detail = state.detail.isEmpty ? "" : "  " + state.detail
        return "\(self.label)  \(state.done)/\(self.total) requests  \(seconds) s\(detail)"
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
