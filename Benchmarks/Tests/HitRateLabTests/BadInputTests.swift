import CacheLayerAdvisor
import HitRateLab
import Testing

@Suite("Bad input is refused with a message that names the problem")
struct BadInputTests {
    @Test("a malformed trace line names its line number")
    func malformedTraceLine() {
        let text = "key,size,ttl\nuser:1,100\nuser:2,12x\n"
        #expect {
            try TraceFile.parse(text, name: "access.csv")
        } throws: { error in
            let error = error as? HitRateLabError
            return error?.code == .malformedTrace
                && error?.message.hasPrefix("access.csv line 3: the size '12x'") == true
        }
        #expect(throws: HitRateLabError.self) { try TraceFile.parse("a,1\nb,2,3,4\n", name: "t") }
        #expect(throws: HitRateLabError.self) { try TraceFile.parse("a,1,soon\n", name: "t") }
        #expect(throws: HitRateLabError.self) { try TraceFile.parse(",5\n", name: "t") }
        #expect(throws: HitRateLabError.self) { try TraceFile.parse("key,size\n", name: "t") }
    }

    @Test("a trace with a header, CRLF line ends, comments, blank lines and TTLs is read")
    func goodTrace() throws {
        let trace = try TraceFile.parse("key,size,ttl\r\n# comment\r\na,100,1.5\r\n\r\nb,20\r\na,100,\r\n", name: "t")
        #expect(trace.keys == ["a", "b"])
        #expect(
            trace.requests == [
                .init(key: 0, size: 100, ttlMilliseconds: 1500), .init(key: 1, size: 20), .init(key: 0, size: 100),
            ])
    }

    @Test("a budget of zero, or one that is not a size, is refused")
    func badBudgets() {
        #expect(
            throws: HitRateLabError(.invalidArgument, "the budget '0' is zero; every budget must be at least 1 byte")
        ) {
            try ByteCount.parseBudgets("1MiB,0")
        }
        #expect(throws: HitRateLabError.self) { try ByteCount.parseBudgets("lots") }
        #expect(throws: HitRateLabError.self) { try ByteCount.parseBudgets("-1MiB") }
    }

    @Test("byte counts are read with their units")
    func byteCounts() throws {
        #expect(try ByteCount.parseBudgets("512,64KiB, 1.5MiB,2GB") == [512, 64 << 10, 3 << 19, 2 << 30])
        #expect(ByteCount.format(3 << 19) == "1.5 MiB")
    }

    @Test("an experiment with a zero budget is refused before anything runs")
    func zeroBudgetExperiment() async {
        let experiment = HitRateExperiment(workload: "zipf", variants: [], budgets: [0])
        await #expect(throws: HitRateLabError.self) { try await experiment.run() }
    }

    @Test("a Redis server that is not there is named in the error")
    func unreachableServer() async {
        // Port 1 (tcpmux) has no listener on a normal machine.
        let replay = RedisTierReplay(url: "redis://127.0.0.1:1")
        let trace = TestTraces.trace([0, 1, 0])
        await #expect {
            try await replay.run(traces: [trace], budgets: [1 << 20])
        } throws: { error in
            let error = error as? HitRateLabError
            return error?.code == .redisUnavailable
                && error?.message.hasPrefix("cannot reach Redis at 127.0.0.1:1: ") == true
        }
    }
}
