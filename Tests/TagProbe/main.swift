// A second process of the tag tests (Tests/CacheLayerRedisTests/.../RedisTagProcessTests.swift): reads and loads a
// tagged entry while the test process invalidates its tag, on one redis-server or on the test cluster.
//
//   TagProbe single <redis-url> <namespace> <key> <tag>
//   TagProbe cluster <comma-separated-urls> <namespace> <key> <tag>
//
// Steps, each printed on a line of its own:
//   1. reads the key: `before=<value|miss>`
//   2. waits for the control key `go1` (set by the test after its invalidation returned), reads again:
//      `after-invalidate=<value|miss>`
//   3. getOrLoad with the tag, whose loader prints `loading`, waits for `go2` (set by the test after a second
//      invalidation returned) and returns `loaded-by-probe`: `load-returned=<value>`
//   4. reads again: `after-load=<value|miss>` (the load's value must not have been stored)
// Control keys live in the namespace `<namespace>-control`. Exits 0, or 1 after 30 s without a control key.
import CacheLayer
import CacheLayerRedis

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 6 else {
    print("usage: TagProbe single|cluster <url(s)> <namespace> <key> <tag>")
    exit(2)
}
let backend: any CacheBackend =
    arguments[1] == "cluster"
    ? try RedisClusterBackend(configuration: RedisClusterBackend.Configuration(urlList: arguments[2]))
    : try RedisBackend(configuration: RedisBackend.Configuration(url: arguments[2]))
let cache = try Cache(namespace: arguments[3], backend: backend)
let control = try CacheNamespace(arguments[3] + "-control")
let key = arguments[4]
let tag = arguments[5]

@Sendable func say(_ line: String) {
    print(line)
    fflush(nil)
}

@Sendable func waitFor(_ name: String) async throws {
    for _ in 0..<3_000 {
        if try await backend.get(CacheKey(namespace: control, key: name)) != nil { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    say("timeout waiting for \(name)")
    exit(1)
}

say("before=\(try await cache.get(key, as: String.self) ?? "miss")")
try await waitFor("go1")
say("after-invalidate=\(try await cache.get(key, as: String.self) ?? "miss")")
let loaded = try await cache.getOrLoad(key: key, ttl: .seconds(60), tags: [tag]) { () async throws -> String in
    say("loading")
    try await waitFor("go2")
    return "loaded-by-probe"
}
say("load-returned=\(loaded)")
say("after-load=\(try await cache.get(key, as: String.self) ?? "miss")")
exit(0)
