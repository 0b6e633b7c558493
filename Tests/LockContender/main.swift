// A process of the distributed-lock tests (Tests/CacheLayerRedisTests/RedisLockTests.swift): many concurrent
// getOrLoad calls through one Cache on a real Redis, with a slow loader that counts its runs in Redis.
//
//   LockContender <redis-url> <namespace> <keys,comma,separated> <calls> <start-at-epoch-ms> [hold|nolock]
//
// Every call reads key `calls % keys.count`. The loader marks its run by taking the first free counter key
// `runs:<key>:1`, `runs:<key>:2`, ... with set-if-absent (an INCR made of what every backend has), waits 300 ms and
// returns `value-of-<key>`. The process prints `calls=<n> wrong=<n> errors=<n>` and exits 0.
//
// With `hold`, the process makes one call whose loader prints `holding`, then sleeps for an hour while holding
// the lock: a holder for the test to kill. With `nolock`, the calls run without the distributed lock (in-process
// single-flight only): the control that shows what the lock saves.
import CacheLayer
import CacheLayerRedis

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 6, let calls = Int(arguments[4]), let startAt = Int64(arguments[5]) else {
    print("usage: LockContender <redis-url> <namespace> <keys> <calls> <start-at-epoch-ms> [hold]")
    exit(2)
}
let mode = arguments.count > 6 ? arguments[6] : ""
let holds = mode == "hold"
let keys = arguments[3].split(separator: ",").map(String.init)

let backend = try RedisBackend(configuration: RedisBackend.Configuration(url: arguments[1]))
let runs = try CacheNamespace(arguments[2] + "-runs")
let policy =
    mode == "nolock"
    ? LoadPolicy() : LoadPolicy(lock: .init(lease: .seconds(2), maximumWait: .seconds(10), onTimeout: .fail))
let cache = try Cache(namespace: arguments[2], backend: backend, configuration: .init(loadPolicy: policy))

/// Takes the next free run counter of `key`: the number of loads so far, counted in Redis.
@Sendable func countRun(of key: String) async throws {
    for run in 1...10_000
    where try await backend.setIfAbsent(CacheKey(namespace: runs, key: "\(key):\(run)"), to: [1], ttl: .seconds(300)) {
        return
    }
}

// Start together with the other processes.
let now = EpochCacheClock().now()
let startsIn = Duration.milliseconds(startAt) - now
if startsIn > .zero { try await Task.sleep(for: startsIn) }

if holds {
    let key = keys[0]
    _ = try await cache.getOrLoad(key: key, ttl: .seconds(60)) { () async throws -> String in
        try await countRun(of: key)
        print("holding")
        fflush(nil)
        try await Task.sleep(for: .seconds(3600))
        return "never"
    }
    exit(1)
}

let (wrong, errors) = await withTaskGroup(of: (wrong: Int, errors: Int).self) { group in
    for call in 0..<calls {
        let key = keys[call % keys.count]
        group.addTask {
            do {
                let value = try await cache.getOrLoad(key: key, ttl: .seconds(60)) { () async throws -> String in
                    try await countRun(of: key)
                    try await Task.sleep(for: .milliseconds(300))
                    return "value-of-\(key)"
                }
                return (value == "value-of-\(key)" ? 0 : 1, 0)
            } catch {
                print("error: \(error)")
                return (0, 1)
            }
        }
    }
    var totals = (wrong: 0, errors: 0)
    for await result in group {
        totals.wrong += result.wrong
        totals.errors += result.errors
    }
    return totals
}
print("calls=\(calls) wrong=\(wrong) errors=\(errors)")
backend.shutdown()
exit(0)
