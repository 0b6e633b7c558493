#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a thread that waits in `poll`: ``signal()`` writes a byte into a pipe whose read end (``descriptor``) the
/// thread polls, and the thread ``drain()``s it. Both ends are non-blocking, so neither call ever waits: a signal
/// into a full pipe is dropped, and the bytes already there wake the thread anyway.
final class WakeupPipe: Sendable {
    /// The read end, for `poll`.
    let descriptor: Int32
    private let writeEnd: Int32

    /// `nil` when the process cannot open a pipe (out of descriptors).
    init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        self.descriptor = ends[0]
        self.writeEnd = ends[1]
    }

    deinit {
        close(self.descriptor)
        close(self.writeEnd)
    }

    /// Wakes the thread polling ``descriptor``.
    func signal() {
        var byte: UInt8 = 1
        _ = write(self.writeEnd, &byte, 1)
    }

    /// Empties the pipe, so that the next `poll` waits for the next signal.
    func drain() {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &bytes, { read(self.descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
