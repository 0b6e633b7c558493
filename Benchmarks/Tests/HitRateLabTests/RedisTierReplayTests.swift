import HitRateLab
import Testing

@Suite("Redis replay against a real redis-server", .enabled(if: ThrowawayRedisServer.shouldRun), .serialized)
struct RedisTierReplayTests {
    @Test("measures both policies at each budget, then restores the settings and leaves no key behind")
    func measuresAndRestores() async throws {
        let server = try await ThrowawayRedisServer.start()
        let admin = try await server.admin()
        // Settings a user might have: they must come back exactly.
        try await admin.configSet("maxmemory", "500mb")
        try await admin.configSet("maxmemory-policy", "volatile-ttl")
        let trace = try ZipfWorkload(keyCount: 2000, skew: 1.0, requestCount: 20_000, valueSize: .fixed(1000), seed: 3)
            .trace()
        do {
            let (facts, runs) = try await RedisTierReplay(url: server.url).run(
                traces: [trace], budgets: [256 << 10, 1 << 20])
            #expect(facts.originalMaxmemory == String(500 << 20))
            #expect(facts.originalPolicy == "volatile-ttl")
            #expect(runs.map(\.policy) == ["allkeys-lru", "allkeys-lfu", "allkeys-lru", "allkeys-lfu"])
            for run in runs {
                #expect(run.counts.requests == 20_000)
                #expect(run.counts.errors == 0)
                #expect(run.counts.hits > 0 && run.counts.hits < 20_000)
                // Redis's own accounting: the data grew used_memory, and never far past the budget.
                #expect(run.counts.bytesUsed! > run.budget / 2 && run.counts.bytesUsed! < run.budget * 3 / 2, "\(run)")
                #expect(run.counts.evictions! > 0)
            }
            let small = runs.filter { $0.budget == 256 << 10 }.map(\.counts.hits)
            let large = runs.filter { $0.budget == 1 << 20 }.map(\.counts.hits)
            #expect(zip(small, large).allSatisfy { $0 < $1 })
            #expect(try await admin.configGet("maxmemory") == String(500 << 20))
            #expect(try await admin.configGet("maxmemory-policy") == "volatile-ttl")
            #expect(try await admin.command(["DBSIZE"]) == .integer(0))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("refuses a server holding other keys, touching neither them nor the settings, unless allowed")
    func refusesForeignKeys() async throws {
        let server = try await ThrowawayRedisServer.start()
        let admin = try await server.admin()
        _ = try await admin.command(["SET", "someone-else", "precious"])
        _ = try await admin.command(["SELECT", "3"])
        _ = try await admin.command(["SET", "another-db", "precious"])
        let trace = TestTraces.trace([0, 1, 0, 2])
        do {
            await #expect {
                try await RedisTierReplay(url: server.url).run(traces: [trace], budgets: [1 << 20])
            } throws: { error in
                let error = error as? HitRateLabError
                return error?.code == .foreignKeys
                    && error?.message.contains("holds 2 keys that are not this tool's") == true
            }
            #expect(try await admin.configGet("maxmemory") == "0")
            #expect(try await admin.command(["GET", "another-db"]) == .string("precious"))

            let (_, runs) = try await RedisTierReplay(
                url: server.url, policies: ["allkeys-lru"], allowForeignKeys: true
            )
            .run(traces: [trace], budgets: [1 << 20])
            #expect(runs.first?.counts.hits == 1)
            _ = try await admin.command(["SELECT", "0"])
            #expect(try await admin.command(["GET", "someone-else"]) == .string("precious"))
            #expect(try await admin.command(["DBSIZE"]) == .integer(1))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
