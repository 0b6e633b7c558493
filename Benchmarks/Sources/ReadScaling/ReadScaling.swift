/// How memory-tier reads scale from one task to two, in interleaved rounds, next to a shared-nothing control:
/// `swift run -c release --package-path Benchmarks ReadScaling`.
///
/// Each round runs, in an order that rotates from round to round: `MemoryBackend.get` hits by 1 task, the same
/// number of reads split between 2 tasks (on different stretches of the key space), and the control, the same
/// splits over private dictionaries (each task its own keys and values, so nothing is shared). The workload is the
/// benchmark suite's (10,000 keys like `user:00001234`, 100-byte values, 64 MiB budget). Child tasks run on
/// Swift's cooperative pool, one thread per core, while the top-level code waits on the main thread.
///
/// Per scenario it prints the median wall-clock ns per read and the median thread CPU ns per read (each task's
/// `CLOCK_THREAD_CPUTIME_ID`; a task never suspends, so it stays on one thread). Then, per round: the throughput
/// ratio 2 tasks / 1 task (what the target is about, but bounded by how much of the second core other work left
/// free) and the CPU ratio (CPU per read with 2 tasks / with 1: 1.0 when the two readers do not slow each other
/// down, whatever else runs on the machine). Options: `--rounds N` (15), `--reads N` (1000000 per scenario).
#if canImport(Glibc)
import Glibc
#endif
import CacheLayer

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else {
        return value
    }
    return parsed
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return "\((value * scale).rounded() / scale)"
}

func nanoseconds(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// One task's work: reads `count` keys from `start` on; returns hits and the thread CPU time it took.
typealias Reader = @Sendable (_ task: Int, _ start: Int, _ count: Int) async -> (hits: Int, cpu: UInt64)

struct Measurement {
    var wall: Double
    var cpu: Double
}

/// Runs `reader` in `tasks` child tasks sharing `reads` reads; returns wall and CPU ns per read.
func measure(_ reader: @escaping Reader, tasks: Int, reads: Int, firstKey: Int) async -> Measurement {
    let started = nanoseconds(CLOCK_MONOTONIC)
    let (hits, cpu) = await withTaskGroup(of: (Int, UInt64).self, returning: (Int, UInt64).self) { group in
        for task in 0..<tasks {
            let start = (firstKey + task * keyCount / tasks) % keyCount
            group.addTask { await reader(task, start, reads / tasks) }
        }
        return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
    let wall = nanoseconds(CLOCK_MONOTONIC) - started
    precondition(hits == reads / tasks * tasks, "\(hits) hits of \(reads / tasks * tasks) reads")
    return Measurement(wall: Double(wall) / Double(reads), cpu: Double(cpu) / Double(reads))
}

let rounds = option("--rounds", default: 15)
let reads = option("--reads", default: 1_000_000)
let keyCount = 10_000
func keyString(_ index: Int) -> String {
    let digits = String(index)
    return "user:" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

let backend = try MemoryBackend(byteBudget: 64 << 20)
let namespace = try CacheNamespace("bench")
let cacheKeys = (0..<keyCount).map { CacheKey(namespace: namespace, key: keyString($0)) }
for (index, key) in cacheKeys.enumerated() {
    try await backend.set(key, to: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 100), ttl: nil)
}
/// The control's data: for each of 2 tasks, its own keys and its own dictionary.
let privateData: [([String], [String: [UInt8]])] = (0..<2).map { _ in
    let keys = (0..<keyCount).map(keyString)
    let store = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 100)) })
    return (keys, store)
}

let memoryReader: Reader = { _, start, count in
    let cpuStart = nanoseconds(CLOCK_THREAD_CPUTIME_ID)
    var hits = 0
    var index = start
    for _ in 0..<count {
        if (try? await backend.get(cacheKeys[index])) ?? nil != nil { hits &+= 1 }
        index = index + 1 == keyCount ? 0 : index + 1
    }
    return (hits, nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart)
}
let controlReader: Reader = { task, start, count in
    let cpuStart = nanoseconds(CLOCK_THREAD_CPUTIME_ID)
    let (keys, store) = privateData[task]
    var hits = 0
    var index = start
    for _ in 0..<count {
        if store[keys[index]] != nil { hits &+= 1 }
        index = index + 1 == keyCount ? 0 : index + 1
    }
    return (hits, nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart)
}

let scenarios: [(name: String, reader: Reader, tasks: Int)] = [
    ("MemoryBackend get hit, 1 task", memoryReader, 1),
    ("MemoryBackend get hit, 2 tasks", memoryReader, 2),
    ("Control private dictionary get, 1 task", controlReader, 1),
    ("Control private dictionary get, 2 tasks", controlReader, 2),
]

var loadAverage = [0.0, 0.0, 0.0]
getloadavg(&loadAverage, 3)
print("ReadScaling: \(rounds) rounds x \(reads) reads per scenario, interleaved; load average \(loadAverage.map { format($0, 2) })")
var results = Array(repeating: [Measurement](), count: scenarios.count)
for round in 0..<rounds {
    for offset in 0..<scenarios.count {
        let which = (round + offset) % scenarios.count
        let scenario = scenarios[which]
        results[which].append(await measure(scenario.reader, tasks: scenario.tasks, reads: reads, firstKey: round * 997))
    }
}

for (index, scenario) in scenarios.enumerated() {
    print(
        "\(scenario.name): median \(format(median(results[index].map(\.wall)), 1)) ns/read wall, "
            + "\(format(median(results[index].map(\.cpu)), 1)) ns/read CPU"
    )
}
for (name, one, two) in [("MemoryBackend", 0, 1), ("Control", 2, 3)] {
    let throughput = zip(results[one], results[two]).map { $0.wall / $1.wall }
    let cpu = zip(results[one], results[two]).map { $1.cpu / $0.cpu }
    print(
        "\(name): 2 tasks / 1 task throughput median \(format(median(throughput), 2)) "
            + "(range \(format(throughput.min()!, 2))–\(format(throughput.max()!, 2))); "
            + "CPU per read 2 tasks / 1 task median \(format(median(cpu), 2)) "
            + "(range \(format(cpu.min()!, 2))–\(format(cpu.max()!, 2)))"
    )
}
