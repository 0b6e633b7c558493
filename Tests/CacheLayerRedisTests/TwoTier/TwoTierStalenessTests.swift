import CacheLayer
import Foundation
import Testing

@testable import CacheLayerRedis

/// Four `TwoTierContender` processes with two-tier caches over one redis-server or a Redis Cluster: writers put
/// versioned values, readers record every version they read, and the merged logs give each write's staleness
/// window (see ``StalenessReport``): 16 tasks per process, 64 in all, 2 of each process's writing. Short runs here;
/// the long one (a million reads and more: `CACHELAYER_STALENESS_MS=15000`) is in Benchmarks/README.md.
///
/// The bound checked is loose on purpose (2 s; a lost invalidation would leave a version readable for the
/// 60 s local TTL): this is a test of coherence under faults, not of speed. The measured windows are printed.
@Suite(
    "Two-tier staleness across processes", .serialized,
    .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct TwoTierStalenessTests {
    static let bound = Duration.seconds(2)

    /// Runs four contenders for `milliseconds`, calls `fault` halfway, and merges their logs.
    static func run(
        _ mode: String, urls: String, milliseconds: Int = 3000, tasks: Int = 16, maximumStaleness: Duration? = nil,
        fault: (() async throws -> Void)? = nil
    ) async throws -> StalenessReport {
        let prefix = "stale-\(UUID().uuidString.prefix(8)):"
        let start = Int64((Date().timeIntervalSince1970 * 1000).rounded()) + 4000
        let files = (0..<4).map { "/tmp/cachelayer-staleness-\(prefix.dropLast())-\($0).log" }
        let processes = try (0..<4).map { index in
            try ChildProcess(
                "TwoTierContender",
                [
                    mode, urls, prefix, "\(index)", "4", "16", "\(milliseconds)", "\(start)", "\(tasks)", "2",
                    files[index],
                ] + (maximumStaleness.map { ["\($0.nanoseconds / 1000)"] } ?? []))
        }
        for process in processes {
            try await process.waitForOutput(containing: "armed", timeout: .seconds(20))
        }
        if let fault {
            let startsIn = Double(start) / 1000 - Date().timeIntervalSince1970 + Double(milliseconds) / 2000
            if startsIn > 0 { try await Task.sleep(for: .milliseconds(Int(startsIn * 1000))) }
            try await fault()
        }
        for process in processes {
            let status = try await process.wait(timeout: .seconds(Double(milliseconds) / 1000 + 60))
            #expect(status == 0, "\(process.output)")
        }
        defer { files.forEach { unlink($0) } }
        return try StalenessReport(files: files, outputs: processes.map(\.output))
    }

    /// The run length of ``oneServerUnderLoad()``: 3 s, or `CACHELAYER_STALENESS_MS` (the long run in
    /// Benchmarks/README.md).
    static var longRunMilliseconds: Int {
        ProcessInfo.processInfo.environment["CACHELAYER_STALENESS_MS"].flatMap(Int.init) ?? 3000
    }

    @Test func oneServerUnderLoad() async throws {
        let report = try await Self.run(
            "single", urls: try #require(RedisTestServer.url), milliseconds: Self.longRunMilliseconds)
        print("two-tier staleness, one server: \(report)")
        #expect(report.writes > 100 && report.reads > 1000, "\(report)")
        #expect(report.staleBeyond(Self.bound) == 0, "\(report)")
    }

    /// With ``TwoTierBackend/Configuration/maximumStaleness``, the bound holds exactly, however the processes are
    /// scheduled: reads that find invalidations unconfirmed go to Redis.
    @Test func oneServerUnderLoadWithAStalenessBound() async throws {
        let bound = Duration.milliseconds(2)
        let report = try await Self.run(
            "single", urls: try #require(RedisTestServer.url), milliseconds: Self.longRunMilliseconds,
            maximumStaleness: bound)
        print("two-tier staleness, one server, bound \(bound): \(report)")
        #expect(report.writes > 100 && report.reads > 1000, "\(report)")
        #expect(report.staleBeyond(bound) == 0, "\(report)")
    }

    @Test func invalidationConnectionsKilledUnderLoad() async throws {
        let url = try #require(RedisTestServer.url)
        let report = try await Self.run("single", urls: url) {
            _ = try RedisTestServer.rawCommand("CLIENT KILL TYPE pubsub")
        }
        print("two-tier staleness, invalidation connections killed: \(report)")
        #expect(report.writes > 100, "\(report)")
        #expect(report.staleBeyond(Self.bound) == 0, "\(report)")
    }

    /// The faults of one server hold the bound too: a killed invalidation connection confirms nothing, so memory
    /// stops answering within the bound whether or not the loss has been noticed yet.
    @Test func invalidationConnectionsKilledUnderLoadWithAStalenessBound() async throws {
        let bound = Duration.milliseconds(2)
        let report = try await Self.run(
            "single", urls: try #require(RedisTestServer.url), maximumStaleness: bound
        ) {
            _ = try RedisTestServer.rawCommand("CLIENT KILL TYPE pubsub")
        }
        print("two-tier staleness, invalidation connections killed, bound \(bound): \(report)")
        #expect(report.writes > 100, "\(report)")
        #expect(report.staleBeyond(bound) == 0, "\(report)")
    }

    @Test func serverRestartedUnderLoadWithAStalenessBound() async throws {
        let bound = Duration.milliseconds(2)
        let server = try RedisServerProcess()
        let report = try await Self.run("single", urls: server.url, maximumStaleness: bound) {
            server.kill()
            try server.start()
        }
        print("two-tier staleness, server restarted, bound \(bound): \(report)")
        #expect(report.writes > 100, "\(report)")
        #expect(report.staleBeyond(bound) == 0, "\(report)")
    }

    @Test func serverRestartedUnderLoad() async throws {
        let server = try RedisServerProcess()
        let report = try await Self.run("single", urls: server.url) {
            server.kill()
            try server.start()
        }
        print("two-tier staleness, server restarted: \(report)")
        #expect(report.writes > 100, "\(report)")
        #expect(report.staleBeyond(Self.bound) == 0, "\(report)")
    }
}

@Suite(
    "Two-tier staleness across processes on a cluster", .serialized,
    .enabled(if: RedisClusterTestServer.shouldRun, "set CACHELAYER_REDIS_CLUSTER_URLS or run scripts/test.sh"))
struct TwoTierClusterStalenessTests {
    @Test func testClusterUnderLoad() async throws {
        let urls = try #require(RedisClusterTestServer.urls)
        let report = try await TwoTierStalenessTests.run("cluster", urls: urls)
        print("two-tier staleness, cluster: \(report)")
        #expect(report.writes > 100, "\(report)")
        #expect(report.staleBeyond(TwoTierStalenessTests.bound) == 0, "\(report)")
    }

    @Test func manualFailoverUnderLoad() async throws {
        let cluster = try await RedisClusterProcess(nodeTimeoutMilliseconds: 1000)
        let report = try await TwoTierStalenessTests.run("cluster", urls: cluster.urls, milliseconds: 6000) {
            let answer = try cluster.replicas[0].raw("CLUSTER FAILOVER")
            #expect(answer.hasPrefix("+OK"), "\(answer)")
        }
        print("two-tier staleness, cluster failover: \(report)")
        #expect(report.writes > 100, "\(report)")
        #expect(report.staleBeyond(TwoTierStalenessTests.bound) == 0, "\(report)")
    }
}
