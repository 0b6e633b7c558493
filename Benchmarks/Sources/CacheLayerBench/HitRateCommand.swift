import ArgumentParser
import CacheLayer
@_spi(Benchmarks) import CacheLayerAdvisor
import Foundation
import HitRateLab

/// `cachelayer-bench hitrate`: replays a workload at a series of budgets and writes CSV and an SVG chart.
struct HitRateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hitrate",
        abstract: "Hit rate against memory: memory tier, Redis (allkeys-lru/lfu) and Belady's optimum.",
        discussion: """
            Writes <output>/hitrate.csv and <output>/hitrate.svg and prints the table. Without --redis, only the \
            memory tier and the optimum run. The same options and seed give the same CSV (Redis rows aside: Redis \
            evicts by random sampling).
            """
    )

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case zipf, pagination, trace
    }

    @Option(help: "The workload: zipf, pagination, or trace (with --trace).")
    var workload: Workload = .zipf

    @Option(help: "Memory budgets, comma-separated (e.g. 1MiB,4MiB,16MiB).")
    var budgets = "1MiB,2MiB,4MiB,8MiB,16MiB,32MiB,64MiB"

    @Option(help: "Requests to generate (zipf, pagination).")
    var requests = 1_000_000

    @Option(help: "The seed of everything random.")
    var seed: UInt64 = 1

    @Option(help: "Zipf: distinct keys.")
    var keys = 100_000

    @Option(help: "Zipf: the exponent (1.0 is typical of web traffic).")
    var skew = 1.0

    @Option(help: "Zipf: value sizes, fixed (1KiB) or uniform:MIN-MAX (uniform:100-10KiB), drawn once per key.")
    var valueSize = "1KiB"

    @OptionGroup(title: "Pagination workload")
    var pagination: PaginationOptions

    @Option(help: "Pagination: the highest cached pages to compare, one line each (e.g. 1,2,3,5,10).")
    var highestCachedPages = "1,2,3,5,10"

    @Option(help: "Pagination: cache only each filter's N most requested values (default: all values).")
    var commonFilterValues: Int?

    @Option(help: "Trace: a CSV file of key,size[,ttl] lines (ttl in seconds; a header line allowed).")
    var trace: String?

    @Option(
        help:
            "Also run against this Redis server (redis://host:port[/db] or unix:///path), which must hold no other keys."
    )
    var redis: String?

    @Option(help: "Redis eviction policies to compare, comma-separated.")
    var redisPolicies = "allkeys-lru,allkeys-lfu"

    @Flag(help: "Run against a Redis server holding other keys (its eviction may then remove them).")
    var allowForeignKeys = false

    @Option(help: "Redis: requests per MGET window.")
    var redisBatch = 64

    @Option(help: "Memory tier: shard count (default: the backend's own choice for the budget).")
    var memoryShards: Int?

    @Option(help: "Virtual request rate that turns trace TTLs into requests (memory tier).")
    var requestsPerSecond = 1000

    @Flag(help: "Skip Belady's optimum.")
    var noOptimum = false

    @Option(help: "Where hitrate.csv and hitrate.svg go.")
    var output = "hitrate-results"

    func run() async throws {
        do {
            try await self.measure()
        } catch {
            throw fail(error)
        }
    }

    private func measure() async throws(HitRateLabError) {
        let budgets = try ByteCount.parseBudgets(self.budgets)
        let (variants, description) = try self.makeVariants()
        report(
            "cachelayer-bench hitrate: \(description); budgets \(budgets.map(ByteCount.format).joined(separator: ", "))"
        )
        let redisReplay = self.redis.map { url in
            RedisTierReplay(
                url: url,
                policies: self.redisPolicies.split(separator: ",").map {
                    String($0.trimmingCharacters(in: .whitespaces))
                },
                allowForeignKeys: self.allowForeignKeys,
                batchSize: self.redisBatch,
                restoresOnInterrupt: true
            )
        }
        let experiment = HitRateExperiment(
            workload: self.workload.rawValue,
            variants: variants,
            budgets: budgets,
            memory: MemoryTierReplay(
                namespace: "hitrate", requestsPerSecond: self.requestsPerSecond, shardCount: self.memoryShards),
            redis: redisReplay,
            includeOptimum: !self.noOptimum
        )
        let results = try await experiment.run(progress: report)
        let csvPath = "\(self.output)/hitrate.csv"
        let svgPath = "\(self.output)/hitrate.svg"
        try HitRateLabError.mapping { () throws(AdvisorError) in
            try TextFile.write(HitRateCSV.text(results.rows), to: csvPath)
        }
        var title = "Hit rate vs memory: \(description)"
        if let facts = results.redis { title += "; redis \(facts.version)" }
        try HitRateLabError.mapping { () throws(AdvisorError) in
            try TextFile.write(HitRateChart.svg(results.rows, title: title), to: svgPath)
        }
        print(ResultTable.text(results.rows))
        if let facts = results.redis {
            print(
                "Redis \(facts.version), maxmemory-samples \(facts.maxmemorySamples); settings restored to maxmemory \(facts.originalMaxmemory), \(facts.originalPolicy)"
            )
        }
        print("Wrote \(csvPath) and \(svgPath)")
    }

    private func makeVariants() throws(HitRateLabError) -> ([HitRateExperiment.Variant], String) {
        switch self.workload {
        case .zipf:
            let valueSize = try ValueSizeDistribution(parsing: self.valueSize)
            let workload = ZipfWorkload(
                keyCount: self.keys, skew: self.skew, requestCount: self.requests, valueSize: valueSize, seed: self.seed
            )
            let description =
                "Zipf \(NumberText.short(self.skew)) over \(self.keys) keys, \(valueSize) values, \(self.requests) requests, seed \(self.seed)"
            return ([.init(name: "", trace: try workload.trace())], description)
        case .pagination:
            let workload = try self.pagination.workload(requests: self.requests, seed: self.seed)
            let requests = try workload.requests()
            var variants: [HitRateExperiment.Variant] = []
            for part in self.highestCachedPages.split(separator: ",") {
                guard let page = Int(part.trimmingCharacters(in: .whitespaces)), page >= 1 else {
                    throw HitRateLabError(
                        .invalidArgument, "the highest cached page '\(part)' is not a whole number of 1 or more")
                }
                let filters = Dictionary(
                    uniqueKeysWithValues: workload.filters.map { filter in
                        (
                            filter.name,
                            Set(self.commonFilterValues.map { Array(filter.values.prefix($0)) } ?? filter.values)
                        )
                    })
                let boundary = PaginationBoundary(highestCachedPage: page, commonFilters: filters)
                variants.append(
                    .init(
                        name: page == 1 ? "page 1" : "pages 1-\(page)",
                        trace: BoundaryReplay.trace(requests, through: boundary)))
            }
            let filterText =
                self.commonFilterValues.map { "top \($0) values of each filter cached" } ?? "all filter values cached"
            let description =
                "pagination, \(workload.endpointCount) endpoints x \(workload.pageCount) pages, \(ByteCount.format(workload.responseSize)) responses, \(filterText), \(self.requests) requests, seed \(self.seed)"
            return (variants, description)
        case .trace:
            guard let path = self.trace else {
                throw HitRateLabError(.invalidArgument, "--workload trace needs --trace FILE (lines key,size[,ttl])")
            }
            let trace = try TraceFile.read(path: path)
            return (
                [.init(name: "", trace: trace)],
                "trace \(path), \(trace.requests.count) requests, \(trace.keys.count) keys"
            )
        }
    }
}
