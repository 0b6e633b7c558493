import CHiredis

/// One Redis command as its arguments (the name first). Values are held, not copied; hiredis's binary-safe
/// `redisAppendCommandArgv` writes them to the connection's output buffer on the connection thread.
struct RedisCommand: Sendable {
    let arguments: [[UInt8]]
    /// Whether sending the command twice gives the caller what sending it once would (GET, plain SET, SCAN):
    /// only such a command may be sent again after its connection failed once it was written, when it may
    /// already have run. `false` unless the command was made with ``idempotent``: SET NX, DEL and scripts would
    /// answer the second time as if someone else had done the first.
    private(set) var isIdempotent = false

    init(_ arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a command has at least its name")
        self.arguments = arguments
    }

    init(_ name: StaticString, _ arguments: [UInt8]...) {
        self.init([Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))] + arguments)
    }

    /// This command, marked as safe to send again after it may have run.
    var idempotent: RedisCommand {
        var command = self
        command.isIdempotent = true
        return command
    }

    /// The words of the commands every cache call sends, made once rather than per call.
    enum Word {
        static let get = Array("GET".utf8)
        static let set = Array("SET".utf8)
        static let nx = Array("NX".utf8)
        static let px = Array("PX".utf8)
        static let del = Array("DEL".utf8)
        static let mget = Array("MGET".utf8)
    }

    /// `ASKING`: the next command on this connection may touch a slot the server is importing.
    static let asking = RedisCommand("ASKING")

    /// The command name, for errors and logs (never the arguments: they hold keys and values).
    var name: String { String(decoding: self.arguments[0], as: UTF8.self) }

    /// Appends the command to `context`'s output buffer. Returns hiredis's status (`REDIS_OK` or `REDIS_ERR`).
    func append(to context: UnsafeMutablePointer<redisContext>) -> Int32 {
        let count = self.arguments.count
        guard count <= 8 else { return self.appendFlattened(to: context) }
        return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { pointers in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { lengths in
                self.bindArguments(from: 0, pointers, lengths) {
                    redisAppendCommandArgv(context, Int32(count), pointers.baseAddress, lengths.baseAddress)
                }
            }
        }
    }

    /// Many-argument commands (MGET, UNLINK) copy their arguments into one buffer first, so pointers into it
    /// need one scope rather than one nested scope per argument.
    private func appendFlattened(to context: UnsafeMutablePointer<redisContext>) -> Int32 {
        var storage: [UInt8] = []
        storage.reserveCapacity(self.arguments.reduce(0) { $0 + $1.count })
        var lengths: [Int] = []
        lengths.reserveCapacity(self.arguments.count)
        for argument in self.arguments {
            storage += argument
            lengths.append(argument.count)
        }
        return storage.withUnsafeBytes { bytes in
            let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? RedisCommand.emptyArgument
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            for length in lengths {
                pointers.append(length == 0 ? RedisCommand.emptyArgument : base + offset)
                offset += length
            }
            return redisAppendCommandArgv(context, Int32(lengths.count), &pointers, lengths)
        }
    }

    /// Fills `pointers` and `lengths` with each argument's storage, valid while `body` runs.
    private func bindArguments(
        from index: Int,
        _ pointers: UnsafeMutableBufferPointer<UnsafePointer<CChar>?>,
        _ lengths: UnsafeMutableBufferPointer<Int>,
        _ body: () -> Int32
    ) -> Int32 {
        guard index < self.arguments.count else { return body() }
        return self.arguments[index].withUnsafeBytes { bytes in
            // hiredis reads `length` bytes from each pointer; an empty argument reads none, so any pointer will do.
            pointers[index] = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? RedisCommand.emptyArgument
            lengths[index] = bytes.count
            return self.bindArguments(from: index + 1, pointers, lengths, body)
        }
    }

    /// A pointer to static, immutable storage, for empty arguments.
    private static var emptyArgument: UnsafePointer<CChar> {
        UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
