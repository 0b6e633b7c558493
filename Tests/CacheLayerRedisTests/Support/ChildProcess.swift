import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A helper executable of the test suite run as a process of its own, its output captured in a file.
///
/// Spawned with posix_spawn; `wait` polls `waitpid(WNOHANG)` between sleeps, so no thread of the cooperative pool
/// blocks on it.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let outputPath: String

    /// Starts `executable` (a product built beside the test bundle, such as `LockContender`) with `arguments`.
    init(_ executable: String, _ arguments: [String]) throws {
        let path = Self.builtProduct(executable)
        var template = Array("/tmp/cachelayer-child-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw ChildProcessError("mkstemp failed") }
        close(descriptor)
        self.outputPath = String(cString: template)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, self.outputPath, O_WRONLY | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = ([path] + arguments).map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw ChildProcessError("posix_spawn \(path) failed: \(spawned)") }
        self.pid = pid
    }

    deinit {
        unlink(self.outputPath)
    }

    /// The executable `name` from the build folder the test bundle runs from.
    static func builtProduct(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable =
            length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let directory = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
            separator: "/")
        return directory + "/" + name
    }

    /// What the process has written so far.
    var output: String {
        guard let file = fopen(self.outputPath, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Waits (bounded) until the output contains `text`.
    func waitForOutput(containing text: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !self.output.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw ChildProcessError("no '\(text)' within \(timeout); output so far: \(self.output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (bounded) for the process to exit and returns its exit status.
    func wait(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            if waitpid(self.pid, &status, WNOHANG) == self.pid {
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
            }
            guard ContinuousClock.now < deadline else {
                self.kill()
                throw ChildProcessError("still running after \(timeout); output: \(self.output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGKILL, as a crash would end it, and reaps it.
    func kill() {
        Glibc.kill(self.pid, SIGKILL)
        var status: Int32 = 0
        waitpid(self.pid, &status, 0)
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
