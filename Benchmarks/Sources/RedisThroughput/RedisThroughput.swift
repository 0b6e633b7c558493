/// Throughput and latency of the Redis backend against plain hiredis from C, in one run on one server.
///
///     CACHELAYER_REDIS_URL=redis://127.0.0.1:6379 swift run -c release --package-path Benchmarks RedisThroughput
///     swift run -c release --package-path Benchmarks RedisThroughput redis://127.0.0.1:6379 [options]
///
/// It fills `--keys` keys (100-byte values, under a key prefix of its own), then, for GET and for SET, measures
/// in interleaved rounds:
///
/// - C sequential: one blocking `redisCommandArgv` after the other on one connection (`CHiredisBaseline`);
/// - C pipelined: 64 `redisAppendCommandArgv`, then 64 `redisGetReply`, on one connection;
/// - ours, 1 task: `RedisBackend.get`/`set` awaited one after the other (default configuration, 2 connections);
/// - ours, 64 tasks: a task group of 64 tasks, each awaiting its own operations one after the other, for each
///   `connectionCount` in `--connections` (1, 2 and 4 by default);
/// - with `--valkey-swift-peer PATH` (or CACHELAYER_VALKEY_PEER): GETs through a single valkey-swift connection,
///   from 1 task and from 64 tasks, run by a peer executable built outside this repository (Benchmarks/README.md,
///   "Redis near the wire", says how); it prints one line `ops_per_second=... p50_ns=... mismatches=... errors=...`;
/// - with `--cluster URLS` (or CACHELAYER_REDIS_CLUSTER_URLS): the same 64 tasks on a `RedisClusterBackend`
///   (default configuration: 2 connections per master), reported as a ratio to the single node's 64 tasks with
///   its default `connectionCount`.
///
/// It prints the median ops/s of each scenario over the rounds, the median over the rounds of the p50 and p99 of
/// the per-operation latency (every operation timed on its own with CLOCK_MONOTONIC; not for the pipelined C loop,
/// whose operations are not individually awaited), the voluntary and involuntary context switches per operation of
/// the process (all its threads, from getrusage) for our scenarios and the C sequential loop, and the ratios against the targets: ours 1 task / C sequential
/// ≥ 0.75, ours 64 tasks / C pipelined 64 ≥ 0.75, ours 1 task / valkey-swift 1 task ≥ 2.5. At the end it
/// measures the CPU time the process spends over 2 s with every backend connected and idle (target: under 1% of a
/// core). Every GET is checked against the 100-byte value of its key (mismatches must be 0). The keys are
/// deleted at the end.
///
/// Options: `--rounds N` (5), `--keys N` (10000), `--sequential-ops N` (10000 per sequential measurement),
/// `--ops N` (200000 per pipelined or 64-task measurement), `--connections 1,2,4`, `--cluster URL,URL,...`,
/// `--cluster-connections N` (2, per master), `--valkey-swift-peer PATH`, `--only TEXT`
/// (only the scenarios whose "OP name", as printed in the table, contains TEXT; for profiling one of them).
/// TCP URLs only, without password or database (the C baseline does no AUTH or SELECT). Linux.
import CHiredisBaseline
import CacheLayer
import CacheLayerRedis

#if canImport(Glibc)
import Glibc
#endif

// MARK: Settings

struct Settings {
    var url: String
    var rounds = 5
    var keyCount = 10_000
    var sequentialOps = 10_000
    var concurrentOps = 200_000
    var connectionCounts = [1, 2, 4]
    /// Seed node URLs of a Redis Cluster to measure beside the single server, comma-separated.
    var clusterURLs: String?
    /// Connections per master for the cluster backend.
    var clusterConnections = RedisClusterBackend.Configuration(seeds: []).connectionsPerNode
    /// The valkey-swift peer executable, run for its own scenarios.
    var valkeyPeer: String?
    /// Only the scenarios whose "OP name" contains this (case-insensitive), e.g. for profiling one of them.
    var only: String?
    /// Concurrent tasks for "ours", and the pipeline depth of the C loop.
    let concurrency = 64
    let valueSize = 100
    /// The connection count of the default configuration, used for "ours, 1 task".
    let defaultConnectionCount = RedisBackend.Configuration().connectionCount

    static func parse(_ arguments: [String]) -> Settings {
        func usage(to descriptor: Int32) {
            writeLine(
                "usage: RedisThroughput [redis://host:port] [--rounds N] [--keys N] [--sequential-ops N] [--ops N] [--connections 1,2,4] [--cluster URL,URL,...] [--cluster-connections N] [--valkey-swift-peer PATH] [--only TEXT]",
                to: descriptor)
            writeLine(
                "       (or set CACHELAYER_REDIS_URL and CACHELAYER_REDIS_CLUSTER_URLS instead of giving the URLs)",
                to: descriptor)
        }
        func fail(_ message: String) -> Never {
            printError("error: \(message)")
            usage(to: 2)
            exit(2)
        }
        var url = getenv("CACHELAYER_REDIS_URL").map { String(cString: $0) }
        var settings = Settings(url: "")
        settings.clusterURLs = getenv("CACHELAYER_REDIS_CLUSTER_URLS").map { String(cString: $0) }
        settings.valkeyPeer = getenv("CACHELAYER_VALKEY_PEER").map { String(cString: $0) }
        var rest = arguments[...]
        func positive(_ name: String) -> Int {
            guard let text = rest.popFirst(), let value = Int(text.replacingUnderscores), value > 0 else {
                fail("\(name) needs a positive integer")
            }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--rounds": settings.rounds = positive(argument)
            case "--keys": settings.keyCount = positive(argument)
            case "--sequential-ops": settings.sequentialOps = positive(argument)
            case "--ops": settings.concurrentOps = positive(argument)
            case "--connections":
                let counts = rest.popFirst()?.split(separator: ",").compactMap { Int($0) } ?? []
                guard !counts.isEmpty, counts.allSatisfy({ (1...64).contains($0) }) else {
                    fail("--connections needs a list like 1,2,4 (each in 1...64)")
                }
                settings.connectionCounts = counts
            case "--cluster":
                guard let list = rest.popFirst(), !list.isEmpty else {
                    fail("--cluster needs seed URLs, e.g. redis://127.0.0.1:7000,redis://127.0.0.1:7001")
                }
                settings.clusterURLs = list
            case "--cluster-connections":
                let count = positive(argument)
                guard count <= 64 else { fail("--cluster-connections must be in 1...64") }
                settings.clusterConnections = count
            case "--valkey-swift-peer":
                guard let path = rest.popFirst(), !path.isEmpty else { fail("--valkey-swift-peer needs a path") }
                settings.valkeyPeer = path
            case "--only":
                guard let text = rest.popFirst(), !text.isEmpty else {
                    fail("--only needs text, e.g. \"GET ours, 1 task\"")
                }
                settings.only = text.lowercased()
            case "-h", "--help":
                usage(to: 1)
                exit(0)
            default:
                guard !argument.hasPrefix("-") else { fail("unknown option \(argument)") }
                url = argument
            }
        }
        guard let url, !url.isEmpty else { fail("no Redis URL: pass one or set CACHELAYER_REDIS_URL") }
        settings.url = url
        // Whole batches of `concurrency` operations: every task does the same number.
        settings.concurrentOps = max(
            settings.concurrency, settings.concurrentOps / settings.concurrency * settings.concurrency)
        return settings
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(self.filter { $0 != "_" }) }
}

/// Writes a line straight to a file descriptor: unbuffered, so progress shows at once even through a pipe.
func writeLine(_ line: String, to descriptor: Int32) {
    var text = line + "\n"
    text.withUTF8 { bytes in
        var rest = UnsafeRawBufferPointer(bytes)
        while !rest.isEmpty {
            let written = write(descriptor, rest.baseAddress, rest.count)
            guard written > 0 else { return }
            rest = UnsafeRawBufferPointer(rebasing: rest[written...])
        }
    }
}

func say(_ line: String = "") { writeLine(line, to: 1) }

func printError(_ message: String) { writeLine(message, to: 2) }

// MARK: Data

/// The keys and values every scenario uses: key i is `<prefix>bench:k<i>` on the server (the backend adds
/// `keyPrefix + namespace + ":"`), and its value is 100 bytes derived from i (binary: zero bytes, CR, LF included).
struct Dataset: Sendable {
    let keyPrefix: String
    let cKeyPrefix: String
    let keys: [CacheKey]
    let values: [[UInt8]]
    /// The same values back to back, for C.
    let flatValues: [UInt8]

    init(keyCount: Int, valueSize: Int) throws {
        let namespace = try CacheNamespace("bench")
        self.keyPrefix = "cachelayer-redis-throughput-\(getpid()):"
        self.cKeyPrefix = self.keyPrefix + namespace.name + ":k"
        self.keys = (0..<keyCount).map { CacheKey(namespace: namespace, key: "k\($0)") }
        self.values = (0..<keyCount).map { index in
            (0..<valueSize).map { byte in
                UInt8(truncatingIfNeeded: index &* 2_654_435_761 &+ byte &* 97 &+ (index >> 7))
            }
        }
        self.flatValues = self.values.flatMap { $0 }
    }
}

// MARK: Measurements

enum Operation: String, CaseIterable {
    case get = "GET"
    case set = "SET"
}

enum Kind: Hashable {
    case cSequential
    case cPipelined
    case oursSequential
    case oursConcurrent(connections: Int)
    case oursCluster
    /// A single valkey-swift connection, from this many tasks (the peer executable).
    case valkeySwift(tasks: Int)
}

struct Scenario: Hashable {
    let operation: Operation
    let kind: Kind

    func name(_ settings: Settings) -> String {
        switch self.kind {
        case .cSequential: "C hiredis, sequential"
        case .cPipelined: "C hiredis, pipelined depth \(settings.concurrency)"
        case .oursSequential: "ours, 1 task (connectionCount \(settings.defaultConnectionCount))"
        case .oursConcurrent(let connections): "ours, \(settings.concurrency) tasks, connectionCount \(connections)"
        case .oursCluster: "ours, \(settings.concurrency) tasks, cluster, \(settings.clusterConnections) conn/master"
        case .valkeySwift(let tasks): "valkey-swift, 1 connection, \(tasks) task\(tasks == 1 ? "" : "s")"
        }
    }
}

struct Sample {
    var opsPerSecond: Double
    var p50: Int64?
    var p99: Int64?
    var mismatches: Int
    var errors: Int
    /// Voluntary context switches of the whole process per operation (our scenarios only): a thread that slept
    /// (on a lock, a condition, a socket, the cooperative pool's semaphore), the hand-offs of a call.
    var voluntarySwitchesPerOp: Double? = nil
    /// Involuntary ones per operation: threads preempted, which says more about the machine's load.
    var involuntarySwitchesPerOp: Double? = nil
}

/// Voluntary and involuntary context switches of every thread of this process so far.
func contextSwitches() -> (voluntary: Int, involuntary: Int) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return (usage.ru_nvcsw, usage.ru_nivcsw)
}

/// CPU time (user + system) of every thread of this process so far, in nanoseconds.
func cpuNanoseconds() -> Int64 {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func nanoseconds(_ time: timeval) -> Int64 { Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_usec) * 1_000 }
    return nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

/// A buffer the tasks of one measurement write their latencies into, each at its own indices.
struct LatencyBuffer: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<Int64>
    func set(_ index: Int, _ value: Int64) { self.base[index] = value }
}

func percentiles(_ latencies: inout [Int64]) -> (p50: Int64, p99: Int64) {
    latencies.sort()
    func at(_ fraction: Double) -> Int64 {
        let rank = Int((fraction * Double(latencies.count)).rounded(.up)) - 1
        return latencies[min(max(rank, 0), latencies.count - 1)]
    }
    return (at(0.50), at(0.99))
}

struct Runner {
    let settings: Settings
    let host: String
    let port: Int32
    let data: Dataset
    /// One backend per connection count, made once and kept for every round.
    let backends: [Int: RedisBackend]
    /// The cluster backend, with `--cluster`.
    let cluster: RedisClusterBackend?

    func cCall(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int64) throws -> Int64 {
        var error = [CChar](repeating: 0, count: 512)
        let result = error.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard result >= 0 else {
            throw BenchmarkError(
                description: "C baseline: "
                    + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return result
    }

    func fill() throws {
        _ = try self.cCall { error, size in
            chb_set_pipelined(
                host, port, data.cKeyPrefix, Int32(data.keys.count), data.flatValues, settings.valueSize,
                Int32(data.keys.count), Int32(settings.concurrency), error, size)
        }
    }

    /// Writes every key on the cluster (the C loops cannot: they know one server).
    func fillCluster(_ cluster: RedisClusterBackend) async throws {
        let data = self.data
        let tasks = self.settings.concurrency
        let errors = await withTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var errors = 0
                    for index in stride(from: task, to: data.keys.count, by: tasks) {
                        do { try await cluster.set(data.keys[index], to: data.values[index], ttl: nil) } catch {
                            errors += 1
                        }
                    }
                    return errors
                }
            }
            return await group.reduce(0, +)
        }
        guard errors == 0 else { throw BenchmarkError(description: "\(errors) writes to the cluster failed") }
    }

    func deleteKeys() throws -> Int64 {
        try self.cCall { error, size in
            chb_delete_keys(host, port, data.cKeyPrefix, Int32(data.keys.count), error, size)
        }
    }

    func serverVersion() throws -> String {
        var version = [CChar](repeating: 0, count: 64)
        _ = try self.cCall { error, size in
            Int64(chb_server_version(host, port, &version, version.count, error, size))
        }
        return String(decoding: version.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func measure(_ scenario: Scenario) async throws -> Sample {
        switch scenario.kind {
        case .cSequential: return try self.cSequential(scenario.operation)
        case .cPipelined: return try self.cPipelined(scenario.operation)
        case .oursSequential:
            return await self.ours(
                scenario.operation, backend: self.backends[settings.defaultConnectionCount]!, tasks: 1,
                ops: settings.sequentialOps)
        case .oursConcurrent(let connections):
            return await self.ours(
                scenario.operation, backend: self.backends[connections]!, tasks: settings.concurrency,
                ops: settings.concurrentOps)
        case .oursCluster:
            return await self.ours(
                scenario.operation, backend: self.cluster!, tasks: settings.concurrency, ops: settings.concurrentOps)
        case .valkeySwift(let tasks):
            return try self.valkeySwift(tasks: tasks, ops: tasks == 1 ? settings.sequentialOps : settings.concurrentOps)
        }
    }

    /// Runs the valkey-swift peer executable on the same keys and parses its one line.
    func valkeySwift(tasks: Int, ops: Int) throws -> Sample {
        let command =
            "'\(settings.valkeyPeer!)' \(host) \(port) '\(data.cKeyPrefix)' \(data.keys.count) \(settings.valueSize) \(ops) \(tasks)"
        guard let pipe = popen(command, "r") else { throw BenchmarkError(description: "cannot run \(command)") }
        var output = ""
        var buffer = [CChar](repeating: 0, count: 1024)
        while fgets(&buffer, Int32(buffer.count), pipe) != nil {
            output += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let status = pclose(pipe)
        var fields: [String: Double] = [:]
        for field in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = field.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Double(parts[1]) { fields[String(parts[0])] = value }
        }
        guard status == 0, let rate = fields["ops_per_second"], let p50 = fields["p50_ns"] else {
            throw BenchmarkError(description: "the valkey-swift peer failed (status \(status)): \(output)")
        }
        return Sample(
            opsPerSecond: rate, p50: Int64(p50), p99: nil, mismatches: Int(fields["mismatches"] ?? 0),
            errors: Int(fields["errors"] ?? 0))
    }

    func cSequential(_ operation: Operation, ops: Int? = nil) throws -> Sample {
        let ops = ops ?? settings.sequentialOps
        var latencies = [Int64](repeating: 0, count: ops)
        var mismatches: Int64 = 0
        let switchesBefore = contextSwitches()
        let elapsed = try self.cCall { error, size in
            switch operation {
            case .get:
                chb_get_sequential(
                    host, port, data.cKeyPrefix, Int32(data.keys.count), data.flatValues, settings.valueSize,
                    Int32(ops), &latencies, &mismatches, error, size)
            case .set:
                chb_set_sequential(
                    host, port, data.cKeyPrefix, Int32(data.keys.count), data.flatValues, settings.valueSize,
                    Int32(ops), &latencies, error, size)
            }
        }
        let switchesAfter = contextSwitches()
        let (p50, p99) = percentiles(&latencies)
        return Sample(
            opsPerSecond: Double(ops) * 1e9 / Double(elapsed), p50: p50, p99: p99, mismatches: Int(mismatches),
            errors: 0,
            voluntarySwitchesPerOp: Double(switchesAfter.voluntary - switchesBefore.voluntary) / Double(ops),
            involuntarySwitchesPerOp: Double(switchesAfter.involuntary - switchesBefore.involuntary) / Double(ops))
    }

    func cPipelined(_ operation: Operation) throws -> Sample {
        let ops = settings.concurrentOps
        var mismatches: Int64 = 0
        let elapsed = try self.cCall { error, size in
            switch operation {
            case .get:
                chb_get_pipelined(
                    host, port, data.cKeyPrefix, Int32(data.keys.count), data.flatValues, settings.valueSize,
                    Int32(ops), Int32(settings.concurrency), &mismatches, error, size)
            case .set:
                chb_set_pipelined(
                    host, port, data.cKeyPrefix, Int32(data.keys.count), data.flatValues, settings.valueSize,
                    Int32(ops), Int32(settings.concurrency), error, size)
            }
        }
        return Sample(
            opsPerSecond: Double(ops) * 1e9 / Double(elapsed), p50: nil, p99: nil, mismatches: Int(mismatches),
            errors: 0)
    }

    /// `tasks` child tasks (or the calling task when 1), each awaiting `ops / tasks` operations one after the other.
    func ours(_ operation: Operation, backend: some CacheBackend, tasks: Int, ops: Int) async -> Sample {
        let perTask = ops / tasks
        let total = perTask * tasks
        let storage = UnsafeMutableBufferPointer<Int64>.allocate(capacity: total)
        storage.initialize(repeating: 0)
        defer { storage.deallocate() }
        let latencies = LatencyBuffer(base: storage)
        let data = self.data

        @Sendable func loop(_ task: Int) async -> (mismatches: Int, errors: Int) {
            var mismatches = 0
            var errors = 0
            let keyCount = data.keys.count
            for op in (task * perTask)..<((task + 1) * perTask) {
                let index = op % keyCount
                let before = chb_now_ns()
                do {
                    switch operation {
                    case .get:
                        let value = try await backend.get(data.keys[index])
                        latencies.set(op, Int64(chb_now_ns() &- before))
                        if value != data.values[index] { mismatches += 1 }
                    case .set:
                        try await backend.set(data.keys[index], to: data.values[index], ttl: nil)
                        latencies.set(op, Int64(chb_now_ns() &- before))
                    }
                } catch {
                    latencies.set(op, Int64(chb_now_ns() &- before))
                    errors += 1
                }
            }
            return (mismatches, errors)
        }

        let switchesBefore = contextSwitches()
        let start = chb_now_ns()
        let counts: (mismatches: Int, errors: Int)
        if tasks == 1 {
            counts = await loop(0)
        } else {
            counts = await withTaskGroup(of: (mismatches: Int, errors: Int).self) { group in
                for task in 0..<tasks {
                    group.addTask { await loop(task) }
                }
                var sum = (mismatches: 0, errors: 0)
                for await result in group {
                    sum.mismatches += result.mismatches
                    sum.errors += result.errors
                }
                return sum
            }
        }
        let elapsed = chb_now_ns() - start
        let switchesAfter = contextSwitches()
        var sorted = Array(storage)
        let (p50, p99) = percentiles(&sorted)
        return Sample(
            opsPerSecond: Double(total) * 1e9 / Double(elapsed), p50: p50, p99: p99,
            mismatches: counts.mismatches, errors: counts.errors,
            voluntarySwitchesPerOp: Double(switchesAfter.voluntary - switchesBefore.voluntary) / Double(total),
            involuntarySwitchesPerOp: Double(switchesAfter.involuntary - switchesBefore.involuntary) / Double(total))
    }
}

// MARK: Reporting

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func medianText(_ values: [Double]) -> String {
    values.isEmpty ? "-" : fixed(median(values), 2)
}

func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? padding + text : text + padding
}

func fixed(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if decimals == 0 {
            text = String(text[..<dot])
        } else if have < decimals {
            text += String(repeating: "0", count: decimals - have)
        }
    }
    return text
}

func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var result = ""
    for (offset, character) in digits.reversed().enumerated() {
        if offset > 0 && offset % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return String(result.reversed())
}

func microseconds(_ nanoseconds: Double?) -> String {
    guard let nanoseconds else { return "-" }
    return fixed(nanoseconds / 1000, 1)
}

func readFirstLine(_ path: String, matching prefix: String? = nil) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 1024)
    while fgets(&buffer, Int32(buffer.count), file) != nil {
        let line = String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let prefix else { return line }
        if line.hasPrefix(prefix) { return line }
    }
    return nil
}

// MARK: Main

@main
struct RedisThroughput {
    static func main() async {
        let settings = Settings.parse(Array(CommandLine.arguments.dropFirst()))
        do {
            try await run(settings)
        } catch {
            printError("error: \(error)")
            exit(1)
        }
    }

    static func run(_ settings: Settings) async throws {
        let wallStart = chb_now_ns()
        let configuration = try RedisBackend.Configuration(url: settings.url)
        guard case .tcp(let host, let port) = configuration.endpoint else {
            throw BenchmarkError(description: "the C baseline connects over TCP only; give a redis:// URL")
        }
        guard configuration.password == nil, configuration.database == 0 else {
            throw BenchmarkError(
                description: "the C baseline sends no AUTH or SELECT; use a server without a password, database 0")
        }

        let data = try Dataset(keyCount: settings.keyCount, valueSize: settings.valueSize)
        var backends: [Int: RedisBackend] = [:]
        for count in Set(settings.connectionCounts + [settings.defaultConnectionCount]) {
            var backendConfiguration = configuration
            backendConfiguration.connectionCount = count
            backendConfiguration.keyPrefix = data.keyPrefix
            backends[count] = try RedisBackend(configuration: backendConfiguration)
        }
        var cluster: RedisClusterBackend?
        if let urls = settings.clusterURLs {
            var clusterConfiguration = try RedisClusterBackend.Configuration(urlList: urls)
            clusterConfiguration.keyPrefix = data.keyPrefix
            clusterConfiguration.connectionsPerNode = settings.clusterConnections
            cluster = try RedisClusterBackend(configuration: clusterConfiguration)
        }
        let runner = Runner(
            settings: settings, host: host, port: Int32(port), data: data, backends: backends, cluster: cluster)

        let cpu =
            readFirstLine("/proc/cpuinfo", matching: "model name").map {
                $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingSpaces } ?? $0
            } ?? "?"
        say("RedisThroughput: CacheLayerRedis vs C hiredis, one run, one server")
        #if DEBUG
        say("WARNING: debug build; use -c release for real numbers")
        #endif
        say(
            "machine: nproc \(sysconf(Int32(_SC_NPROCESSORS_ONLN))), \(cpu), loadavg \(readFirstLine("/proc/loadavg") ?? "?")"
        )
        say("server: redis-server \(try runner.serverVersion()) at \(host):\(port)")
        if let urls = settings.clusterURLs {
            say("cluster: seeds \(urls)")
        }
        say("data: \(settings.keyCount) keys, \(settings.valueSize)-byte values, key prefix \(data.keyPrefix)")
        say(
            "rounds: \(settings.rounds) (interleaved); \(settings.sequentialOps) ops per sequential measurement, \(settings.concurrentOps) per pipelined / \(settings.concurrency)-task measurement"
        )

        try runner.fill()
        var cleanedUp = false
        defer {
            if !cleanedUp { _ = try? runner.deleteKeys() }
            for backend in backends.values { backend.shutdown() }
            cluster?.shutdown()
        }
        if let cluster {
            try await runner.fillCluster(cluster)
        }

        var scenarios: [Scenario] = []
        for operation in Operation.allCases {
            scenarios.append(Scenario(operation: operation, kind: .cSequential))
            scenarios.append(Scenario(operation: operation, kind: .oursSequential))
            scenarios.append(Scenario(operation: operation, kind: .cPipelined))
            for count in settings.connectionCounts {
                scenarios.append(Scenario(operation: operation, kind: .oursConcurrent(connections: count)))
            }
            if cluster != nil {
                scenarios.append(Scenario(operation: operation, kind: .oursCluster))
            }
            if settings.valkeyPeer != nil && operation == .get {
                scenarios.append(Scenario(operation: operation, kind: .valkeySwift(tasks: 1)))
                scenarios.append(Scenario(operation: operation, kind: .valkeySwift(tasks: settings.concurrency)))
            }
        }
        if let only = settings.only {
            scenarios = scenarios.filter { "\($0.operation.rawValue) \($0.name(settings))".lowercased().contains(only) }
            guard !scenarios.isEmpty else { throw BenchmarkError(description: "--only \(only) matches no scenario") }
        }

        // Warm-up: connections up, code paths and allocator warm. Not counted.
        for backend in backends.values {
            _ = await runner.ours(.get, backend: backend, tasks: settings.concurrency, ops: settings.concurrency * 50)
            _ = await runner.ours(.get, backend: backend, tasks: 1, ops: 500)
        }
        if let cluster {
            _ = await runner.ours(.get, backend: cluster, tasks: settings.concurrency, ops: settings.concurrency * 50)
        }
        _ = try runner.cSequential(.get, ops: 1_000)

        var samples: [Scenario: [Sample]] = [:]
        for round in 1...settings.rounds {
            let roundStart = chb_now_ns()
            // Each round starts one scenario further along, so none always follows the same one.
            let order = scenarios[((round - 1) % scenarios.count)...] + scenarios[..<((round - 1) % scenarios.count)]
            for scenario in order {
                samples[scenario, default: []].append(try await runner.measure(scenario))
            }
            let seconds = Double(chb_now_ns() - roundStart) / 1e9
            let line = scenarios.map { scenario in
                grouped(samples[scenario]!.last!.opsPerSecond)
            }.joined(separator: " / ")
            say("round \(round): \(fixed(seconds, 1)) s; ops/s in table order \(line)")
        }

        // The CPU an idle backend uses: every backend connected, no calls, for 2 s.
        let idleCPUBefore = cpuNanoseconds()
        let idleWallBefore = chb_now_ns()
        try await Task.sleep(for: .seconds(2))
        let idleCPU = Double(cpuNanoseconds() - idleCPUBefore) / Double(chb_now_ns() - idleWallBefore)

        let removed = try runner.deleteKeys()
        cleanedUp = true
        if let cluster {
            try await cluster.deleteAll(in: data.keys[0].namespace)
        }

        // The table.
        say()
        let header = [
            pad("op", 4), pad("scenario", 42), pad("median ops/s", 13, left: true),
            pad("min..max ops/s", 22, left: true),
            pad("p50 us", 8, left: true), pad("p99 us", 8, left: true), pad("mismatch", 9, left: true),
            pad("errors", 7, left: true), pad("vcsw/op", 8, left: true), pad("icsw/op", 8, left: true),
        ]
        say(header.joined(separator: " "))
        say(String(repeating: "-", count: header.joined(separator: " ").count))
        var medians: [Scenario: Double] = [:]
        var totalMismatches = 0
        var totalErrors = 0
        for scenario in scenarios {
            let list = samples[scenario]!
            let rates = list.map(\.opsPerSecond)
            medians[scenario] = median(rates)
            let p50s = list.compactMap(\.p50).map(Double.init)
            let p99s = list.compactMap(\.p99).map(Double.init)
            let mismatches = list.reduce(0) { $0 + $1.mismatches }
            let errors = list.reduce(0) { $0 + $1.errors }
            totalMismatches += mismatches
            totalErrors += errors
            say(
                [
                    pad(scenario.operation.rawValue, 4), pad(scenario.name(settings), 42),
                    pad(grouped(median(rates)), 13, left: true),
                    pad("\(grouped(rates.min()!))..\(grouped(rates.max()!))", 22, left: true),
                    pad(microseconds(p50s.isEmpty ? nil : median(p50s)), 8, left: true),
                    pad(microseconds(p99s.isEmpty ? nil : median(p99s)), 8, left: true),
                    pad(String(mismatches), 9, left: true), pad(String(errors), 7, left: true),
                    pad(medianText(list.compactMap(\.voluntarySwitchesPerOp)), 8, left: true),
                    pad(medianText(list.compactMap(\.involuntarySwitchesPerOp)), 8, left: true),
                ].joined(separator: " "))
        }
        say(
            "(ops/s: median over \(settings.rounds) rounds; p50/p99: median over the rounds of each round's percentile of per-operation latency; vcsw/op, icsw/op: voluntary and involuntary context switches of the whole process per operation, median over the rounds)"
        )

        say()
        say("ratios (median ops/s):")
        var verdicts: [String] = []
        for operation in Operation.allCases {
            func rate(_ kind: Kind) -> Double { medians[Scenario(operation: operation, kind: kind)] ?? .nan }
            let sequential = rate(.oursSequential) / rate(.cSequential)
            if !sequential.isNaN {
                let met = sequential >= 0.75 ? "met" : "MISSED"
                say(
                    "  \(operation.rawValue) \(pad("ours 1 task / C sequential", 42)) = \(fixed(sequential, 2))  (target >= 0.75: \(met))"
                )
                verdicts.append("\(operation.rawValue).seq=\(fixed(sequential, 2))")
            }
            let overPeer = rate(.oursSequential) / rate(.valkeySwift(tasks: 1))
            if !overPeer.isNaN {
                say(
                    "  \(operation.rawValue) \(pad("ours 1 task / valkey-swift 1 task", 42)) = \(fixed(overPeer, 2))  (target >= 2.5: \(overPeer >= 2.5 ? "met" : "MISSED"))"
                )
                verdicts.append("\(operation.rawValue).seq/valkey=\(fixed(overPeer, 2))")
            }
            let concurrentOverPeer =
                rate(.oursConcurrent(connections: settings.defaultConnectionCount))
                / rate(.valkeySwift(tasks: settings.concurrency))
            if !concurrentOverPeer.isNaN {
                say(
                    "  \(operation.rawValue) \(pad("ours \(settings.concurrency) tasks / valkey-swift \(settings.concurrency) tasks", 42)) = \(fixed(concurrentOverPeer, 2))"
                )
                verdicts.append("\(operation.rawValue).\(settings.concurrency)/valkey=\(fixed(concurrentOverPeer, 2))")
            }
            for count in settings.connectionCounts {
                let concurrent = rate(.oursConcurrent(connections: count)) / rate(.cPipelined)
                guard !concurrent.isNaN else { continue }
                let marker = count == settings.defaultConnectionCount ? " [default]" : ""
                say(
                    "  \(operation.rawValue) \(pad("ours \(settings.concurrency) tasks, \(count) conn / C pipelined \(settings.concurrency)", 42)) = \(fixed(concurrent, 2))  (target >= 0.75: \(concurrent >= 0.75 ? "met" : "MISSED"))\(marker)"
                )
                verdicts.append("\(operation.rawValue).\(settings.concurrency)x\(count)c=\(fixed(concurrent, 2))")
            }
            let clustered = rate(.oursCluster) / rate(.oursConcurrent(connections: settings.defaultConnectionCount))
            if !clustered.isNaN {
                say(
                    "  \(operation.rawValue) \(pad("cluster / single node, \(settings.concurrency) tasks each", 42)) = \(fixed(clustered, 2))"
                )
                verdicts.append("\(operation.rawValue).cluster/single=\(fixed(clustered, 2))")
            }
        }
        say()
        say(
            "idle: \(backends.count + (cluster == nil ? 0 : 1)) backends connected and idle for 2 s used \(fixed(idleCPU * 100, 2))% of a core (target < 1%: \(idleCPU < 0.01 ? "met" : "MISSED"))"
        )
        verdicts.append("idle_cpu=\(fixed(idleCPU * 100, 2))%")
        say(
            "correctness: \(totalMismatches) GET mismatches, \(totalErrors) errors; cleanup removed \(removed) of \(settings.keyCount) keys"
        )
        say(
            "loadavg at end: \(readFirstLine("/proc/loadavg") ?? "?"); total \(fixed(Double(chb_now_ns() - wallStart) / 1e9, 1)) s"
        )
        say("SUMMARY " + verdicts.joined(separator: " ") + " mismatches=\(totalMismatches) errors=\(totalErrors)")
        if totalMismatches != 0 || totalErrors != 0 || removed != Int64(settings.keyCount) {
            throw BenchmarkError(description: "correctness check failed")
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
