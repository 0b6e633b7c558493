import CacheLayer
import CacheLayerAdvisor
import HitRateLab
import Testing

@Suite("Trace formats: CSV and oracleGeneral, written and read back; the scan workload")
struct TraceFormatTests {
    private func sampleTrace() throws -> RequestTrace {
        try ZipfWorkload(keyCount: 50, skew: 1.0, requestCount: 400, valueSize: .uniform(1...5000), seed: 3).trace()
    }

    /// Whether two traces hold the same keys and requests (`RequestTrace` is not `Equatable`).
    private func same(_ first: RequestTrace, _ second: RequestTrace) -> Bool {
        first.keys == second.keys && first.requests == second.requests
    }

    /// The trace with its keys in order of first request, as a reader rebuilds it.
    private func renumbered(_ trace: RequestTrace, keyName: (String) -> String = { $0 }) -> RequestTrace {
        var builder = RequestTraceBuilder()
        for request in trace.requests where request.isCacheable {
            builder.append(
                key: keyName(trace.keys[Int(request.key)]), size: Int(request.size),
                ttlMilliseconds: request.ttlMilliseconds)
        }
        return builder.result
    }

    @Test("CSV written with value sizes reads back as the same requests, TTLs included")
    func csvRoundTrip() throws {
        var trace = try self.sampleTrace()
        trace.requests[3].ttlMilliseconds = 2500
        let text = try TraceFile.csv(trace)
        #expect(self.same(try TraceFile.parse(text, name: "t"), self.renumbered(trace)))
    }

    @Test("CSV with cost sizes counts what the memory tier counts")
    func csvCosts() throws {
        let trace = RequestTrace(keys: ["a"], requests: [.init(key: 0, size: 10)])
        let namespace = try CacheNamespace("hitrate")
        let cost = MemoryBackend.cost(of: CacheKey(namespace: namespace, key: "a"), valueCount: 10)
        #expect(try TraceFile.csv(trace, sizes: .cost(namespace: "hitrate")) == "a,\(cost)\n")
    }

    @Test("a key CSV cannot hold is refused by name")
    func csvBadKey() {
        let trace = RequestTrace(keys: ["a,b"], requests: [.init(key: 0, size: 1)])
        #expect(throws: HitRateLabError.self) { try TraceFile.csv(trace) }
    }

    @Test("oracleGeneral written and read back gives the same requests, keys named by number")
    func oracleGeneralRoundTrip() throws {
        let trace = try self.sampleTrace()
        let bytes = OracleGeneralTrace.encode(trace)
        #expect(bytes.count == trace.requests.count * OracleGeneralTrace.recordSize)
        // Zipf keys are `key:N`, not numbers: they are numbered by their index in the trace's key list.
        let read = try OracleGeneralTrace.parse(bytes, name: "t")
        let index = Dictionary(uniqueKeysWithValues: trace.keys.enumerated().map { ($1, String($0)) })
        #expect(self.same(read, self.renumbered(trace) { index[$0]! }))
    }

    @Test("an oracleGeneral record is little-endian: time, id, size, next access")
    func oracleGeneralLayout() throws {
        let trace = RequestTrace(
            keys: ["7", "300"], requests: [.init(key: 0, size: 258), .init(key: 1, size: 1), .init(key: 0, size: 258)])
        let bytes = OracleGeneralTrace.encode(trace)
        #expect(Array(bytes[0..<24]) == [0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
        // The last request has no next access: -1.
        #expect(Array(bytes[64..<72]) == [UInt8](repeating: 255, count: 8))
        let read = try OracleGeneralTrace.parse(bytes, name: "t")
        #expect(read.keys == ["7", "300"])
        #expect(read.requests.map(\.size) == [258, 1, 258])
    }

    @Test("a truncated, empty or oversized oracleGeneral trace is a typed error naming the problem")
    func oracleGeneralBadInput() throws {
        let bytes = OracleGeneralTrace.encode(try self.sampleTrace())
        #expect {
            try OracleGeneralTrace.parse(Array(bytes.dropLast(5)), name: "t.bin")
        } throws: { error in
            let error = error as? HitRateLabError
            return error?.code == .malformedTrace && error?.message.contains("19 bytes left over") == true
        }
        #expect(throws: HitRateLabError(.malformedTrace, "t holds no requests")) {
            try OracleGeneralTrace.parse([], name: "t")
        }
        var huge = Array(bytes.prefix(24))
        huge[15] = 0x80  // size 2^31 and more
        #expect {
            try OracleGeneralTrace.parse(huge, name: "t")
        } throws: { error in
            (error as? HitRateLabError)?.message.hasPrefix("t record 1: the size") == true
        }
        #expect(throws: HitRateLabError.self) { try OracleGeneralTrace.read(path: "/nonexistent/trace.bin") }
    }

    @Test("the scan workload mixes a loop over its own keys into the Zipf requests, deterministically")
    func scanMix() throws {
        let zipf = ZipfWorkload(keyCount: 100, skew: 1.0, requestCount: 10_000, valueSize: .fixed(100), seed: 4)
        let workload = ScanMixWorkload(zipf: zipf, loopKeyCount: 500, loopShare: 0.3)
        let trace = try workload.trace()
        #expect(self.same(try workload.trace(), trace))
        let loop = trace.requests.filter { $0.key >= 100 }.map { Int($0.key) - 100 }
        #expect(abs(Double(loop.count) / 10_000 - 0.3) < 0.03)
        #expect(loop == loop.indices.map { $0 % 500 })
        #expect(throws: HitRateLabError.self) {
            try ScanMixWorkload(zipf: zipf, loopKeyCount: 0, loopShare: 0.3).trace()
        }
        #expect(throws: HitRateLabError.self) {
            try ScanMixWorkload(zipf: zipf, loopKeyCount: 10, loopShare: 1.5).trace()
        }
    }

    @Test(
        "on the scan workload, W-TinyLFU and S3-FIFO keep the popular keys where second chance loses them to the loop")
    func scanResistance() async throws {
        let zipf = ZipfWorkload(keyCount: 2000, skew: 1.0, requestCount: 40_000, valueSize: .fixed(100), seed: 2)
        let trace = try ScanMixWorkload(zipf: zipf, loopKeyCount: 4000, loopShare: 0.3).trace()
        let budget = 300 * 300
        let tinyLFU = try await MemoryTierReplay(shardCount: 1, evictionPolicy: .windowTinyLFU).run(
            trace, capacity: .bytes(budget))
        let s3 = try await MemoryTierReplay(shardCount: 1, evictionPolicy: .s3FIFO).run(trace, capacity: .bytes(budget))
        let clock = try await MemoryTierReplay(shardCount: 1, evictionPolicy: .secondChance).run(
            trace, capacity: .bytes(budget))
        #expect(tinyLFU.hitRate > clock.hitRate + 0.05)
        #expect(s3.hitRate > clock.hitRate + 0.05)
    }
}
