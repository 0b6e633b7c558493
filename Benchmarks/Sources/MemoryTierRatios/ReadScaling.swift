#if canImport(Glibc)
import Glibc
#endif
import CacheLayer

/// How memory-tier reads scale from one task to two, next to a shared-nothing control.
///
/// Each round runs, in an order that rotates from round to round: `MemoryBackend.get` hits by 1 task, the same
/// number of reads split between 2 tasks (on different stretches of the key space), the same two through
/// `Cache.getBytes` with nothing bootstrapped (whose global tracer lookup takes a process-wide reader lock), and the
/// control, the same splits over private dictionaries (each task its own keys and values, so nothing is shared).
/// Child tasks run on Swift's cooperative pool, one thread per core, while the top-level code waits on the main
/// thread.
///
/// Per scenario it prints the median wall-clock ns per read and the median thread CPU ns per read (each task's
/// `CLOCK_THREAD_CPUTIME_ID`; a task never suspends, so it stays on one thread). Then, per round: the throughput
/// ratio 2 tasks / 1 task (what the target is about, but bounded by how much of the second core other work leaves
/// free) and the CPU ratio (CPU per read with 2 tasks / with 1: near 1.0 when the two readers do not slow each other
/// down, whatever else runs on the machine).
func measureReadScaling(_ options: Options) async {
    let (backend, cacheKeys) = try! await Workload.filledBackend()
    let cache = try! Cache(namespace: "bench", backend: backend)
    let keys = (0..<Workload.keyCount).map(Workload.key)
    // The control's data: for each of 2 tasks, its own keys and its own dictionary.
    let privateData: [([String], [String: [UInt8]])] = (0..<2).map { _ in
        let keys = (0..<Workload.keyCount).map(Workload.key)
        return (keys, Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, Workload.value($0)) }))
    }
    let scenarios: [(name: String, reader: Reader, tasks: Int)] = [
        (
            "MemoryBackend get hit, 1 task",
            Reader { _, start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where (try? await backend.get(cacheKeys[index])) ?? nil != nil {
                    hits &+= 1
                }
                return hits
            }, 1
        ),
        (
            "MemoryBackend get hit, 2 tasks",
            Reader { _, start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where (try? await backend.get(cacheKeys[index])) ?? nil != nil {
                    hits &+= 1
                }
                return hits
            }, 2
        ),
        (
            "Cache.getBytes hit, nothing bootstrapped, 1 task",
            Reader { _, start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where (try? await cache.getBytes(keys[index])) ?? nil != nil {
                    hits &+= 1
                }
                return hits
            }, 1
        ),
        (
            "Cache.getBytes hit, nothing bootstrapped, 2 tasks",
            Reader { _, start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where (try? await cache.getBytes(keys[index])) ?? nil != nil {
                    hits &+= 1
                }
                return hits
            }, 2
        ),
        (
            "Control private dictionary get, 1 task",
            Reader { task, start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where privateData[task].1[privateData[task].0[index]] != nil {
                    hits &+= 1
                }
                return hits
            }, 1
        ),
        (
            "Control private dictionary get, 2 tasks",
            Reader { task, start, count in
                var hits = 0
                for index in Workload.indices(from: start, count)
                where privateData[task].1[privateData[task].0[index]] != nil {
                    hits &+= 1
                }
                return hits
            }, 2
        ),
    ]

    var loadAverage = [0.0, 0.0, 0.0]
    getloadavg(&loadAverage, 3)
    print(
        "ReadScaling: \(options.rounds) rounds x \(options.reads) reads per scenario, interleaved; load average \(loadAverage.map { format($0, 2) })"
    )
    var results = Array(repeating: [(wall: Double, cpu: Double)](), count: scenarios.count)
    for round in 0..<options.rounds {
        for offset in 0..<scenarios.count {
            let which = (round + offset) % scenarios.count
            results[which].append(
                await scenarios[which].reader.measure(
                    tasks: scenarios[which].tasks, reads: options.reads, firstKey: round * 997))
        }
    }
    for (index, scenario) in scenarios.enumerated() {
        print(
            "\(scenario.name): median \(format(median(results[index].map(\.wall)), 1)) ns/read wall, \(format(median(results[index].map(\.cpu)), 1)) ns/read CPU"
        )
    }
    for (name, one, two) in [("MemoryBackend", 0, 1), ("Cache, nothing bootstrapped", 2, 3), ("Control", 4, 5)] {
        let throughput = zip(results[one], results[two]).map { $0.wall / $1.wall }
        let cpu = zip(results[one], results[two]).map { $1.cpu / $0.cpu }
        print(
            "\(name): 2 tasks / 1 task throughput \(summary(throughput, 2)); CPU per read 2 tasks / 1 task \(summary(cpu, 2))"
        )
    }
}

/// One task's share of a scenario: reads `count` keys from `start` on and returns the hits.
struct Reader: Sendable {
    let read: @Sendable (_ task: Int, _ start: Int, _ count: Int) async -> Int

    init(_ read: @escaping @Sendable (_ task: Int, _ start: Int, _ count: Int) async -> Int) {
        self.read = read
    }

    /// Runs `tasks` child tasks sharing `reads` reads; returns wall-clock and thread CPU ns per read.
    func measure(tasks: Int, reads: Int, firstKey: Int) async -> (wall: Double, cpu: Double) {
        let started = Self.nanoseconds(CLOCK_MONOTONIC)
        let (hits, cpu) = await withTaskGroup(of: (Int, UInt64).self, returning: (Int, UInt64).self) { group in
            for task in 0..<tasks {
                let start = (firstKey + task * Workload.keyCount / tasks) % Workload.keyCount
                group.addTask {
                    let cpuStart = Self.nanoseconds(CLOCK_THREAD_CPUTIME_ID)
                    let hits = await self.read(task, start, reads / tasks)
                    return (hits, Self.nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart)
                }
            }
            return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        let wall = Self.nanoseconds(CLOCK_MONOTONIC) - started
        precondition(hits == reads / tasks * tasks, "\(hits) hits of \(reads / tasks * tasks) reads")
        return (Double(wall) / Double(reads), Double(cpu) / Double(reads))
    }

    private static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
