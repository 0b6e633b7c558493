// A process of the two-tier staleness tests (Tests/CacheLayerRedisTests/TwoTier/TwoTierStalenessTests.swift) and
// of the long staleness benchmark: a Cache on a two-tier backend over one redis-server or a Redis Cluster, with
// writers that put versioned values and readers that record every version they read.
//
//   TwoTierContender <single|cluster> <url or url list> <key prefix> <process index> <process count>
//                    <keys per process> <run ms> <start at epoch ms> <tasks> <writers> <output file>
//                    [<maximum staleness µs>]
//
// Key `k<i>` is written only by process `i % process count`, whose writers put "1", "2", ... in turn, so a key's
// versions are ordered. For each write that returned, the output file gets `W <key> <version> <returned at>`; for
// each (key, version) read, `R <key> <version> <latest read start>`; times are CLOCK_MONOTONIC nanoseconds, which
// every process on the machine shares. The test merges the files: a read that started after a newer version's put
// had returned is stale, and the staleness window of a write is how long after it returned an older version was
// still read. The process prints `armed` once tracking is armed, then `reads=<n> writes=<n> errors=<n>`.
import CacheLayer
import CacheLayerRedis

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 12 || arguments.count == 13, let processIndex = Int(arguments[4]),
    let processCount = Int(arguments[5]),
    let keysPerProcess = Int(arguments[6]), let runMilliseconds = Int(arguments[7]), let startAt = Int64(arguments[8]),
    let tasks = Int(arguments[9]), let writers = Int(arguments[10]), writers < tasks
else {
    print(
        "usage: TwoTierContender <single|cluster> <urls> <prefix> <index> <count> <keys> <ms> <start> <tasks> <writers> <out> [<bound µs>]"
    )
    exit(2)
}
let outputPath = arguments[11]

func monotonicNow() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

let backend: TwoTierBackend
let memory = try MemoryBackend(byteBudget: 64 << 20)
let configuration = TwoTierBackend.Configuration(
    localTTL: .seconds(60), maximumStaleness: arguments.count == 13 ? Int(arguments[12]).map { .microseconds($0) } : nil
)
if arguments[1] == "cluster" {
    var redis = try RedisClusterBackend.Configuration(urlList: arguments[2])
    redis.keyPrefix = arguments[3]
    backend = try TwoTierBackend(
        memory: memory, cluster: RedisClusterBackend(configuration: redis), configuration: configuration)
} else {
    var redis = try RedisBackend.Configuration(url: arguments[2])
    redis.keyPrefix = arguments[3]
    redis.connectionCount = 4
    backend = try TwoTierBackend(
        memory: memory, redis: RedisBackend(configuration: redis), configuration: configuration)
}
let cache = try Cache(namespace: "staleness", backend: backend, configuration: .init(failOpen: false))

while !backend.isTracking {
    usleep(10_000)
}
print("armed")
fflush(nil)

let startsIn = Duration.milliseconds(startAt) - EpochCacheClock().now()
if startsIn > .zero { try await Task.sleep(for: startsIn) }
let stopAt = monotonicNow() + UInt64(runMilliseconds) * 1_000_000
let totalKeys = keysPerProcess * processCount
let ownKeys = (0..<totalKeys).filter { $0 % processCount == processIndex }

/// What one task saw.
struct TaskLog: Sendable {
    var writes: [(key: Int, version: Int, returned: UInt64)] = []
    var latestRead: [Int: [Int: UInt64]] = [:]
    var reads = 0
    var errors = 0
    var firstError: String?
}

let logs = await withTaskGroup(of: TaskLog.self) { group in
    for task in 0..<tasks {
        group.addTask {
            var log = TaskLog()
            if task < writers {
                // This writer's share of the process's keys, each with its own version counter.
                let mine = ownKeys.enumerated().filter { $0.offset % writers == task }.map(\.element)
                var versions = [Int](repeating: 0, count: mine.count)
                var next = 0
                while monotonicNow() < stopAt, !mine.isEmpty {
                    let slot = next % mine.count
                    next += 1
                    versions[slot] += 1
                    do {
                        try await cache.putBytes(
                            "k\(mine[slot])", Array(String(versions[slot]).utf8), ttl: .seconds(300))
                        log.writes.append((mine[slot], versions[slot], monotonicNow()))
                    } catch {
                        log.errors += 1
                        log.firstError = log.firstError ?? "\(error)"
                    }
                    try? await Task.sleep(for: .milliseconds(1))
                }
            } else {
                var random = SystemRandomNumberGenerator()
                while monotonicNow() < stopAt {
                    let key = Int.random(in: 0..<totalKeys, using: &random)
                    let started = monotonicNow()
                    do {
                        let bytes = try await cache.getBytes("k\(key)")
                        log.reads += 1
                        if let bytes, let version = Int(String(decoding: bytes, as: UTF8.self)) {
                            if started > log.latestRead[key, default: [:]][version, default: 0] {
                                log.latestRead[key, default: [:]][version] = started
                            }
                        }
                    } catch {
                        log.errors += 1
                        log.firstError = log.firstError ?? "\(error)"
                    }
                }
            }
            return log
        }
    }
    var logs: [TaskLog] = []
    for await log in group { logs.append(log) }
    return logs
}

var latestRead: [Int: [Int: UInt64]] = [:]
var lines: [String] = []
for log in logs {
    for write in log.writes {
        lines.append("W \(write.key) \(write.version) \(write.returned)")
    }
    for (key, versions) in log.latestRead {
        for (version, started) in versions where started > latestRead[key, default: [:]][version, default: 0] {
            latestRead[key, default: [:]][version] = started
        }
    }
}
for (key, versions) in latestRead {
    for (version, started) in versions {
        lines.append("R \(key) \(version) \(started)")
    }
}
guard let file = fopen(outputPath, "w") else {
    print("cannot write \(outputPath)")
    exit(1)
}
fputs(lines.joined(separator: "\n") + "\n", file)
fclose(file)
let errors = logs.reduce(0) { $0 + $1.errors }
print(
    "reads=\(logs.reduce(0) { $0 + $1.reads }) writes=\(logs.reduce(0) { $0 + $1.writes.count }) errors=\(errors)")
if let first = logs.compactMap(\.firstError).first {
    print("first error: \(first)")
}
backend.shutdown()
exit(0)
