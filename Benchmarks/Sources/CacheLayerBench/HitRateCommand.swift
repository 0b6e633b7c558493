import ArgumentParser
import CacheLayer
@_spi(Benchmarks) import CacheLayerAdvisor
import Foundation
import HitRateLab

/// `cachelayer-bench hitrate`: replays a workload at a series of budgets and writes CSV and an SVG chart.
struct HitRateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hitrate",
        abstract:
            "Hit rate against memory: the memory tier's eviction policies, Redis (allkeys-lru/lfu) and Belady's optimum.",
        discussion: """
            Writes <output>/hitrate.csv and <output>/hitrate.svg and prints the table. Without --redis, only the \
            memory tier (every eviction policy, or those given with --policies) and the optimum run. The same \
            options and seed give the same CSV (Redis rows aside: Redis evicts by random sampling). --write-trace \
            saves the requests replayed, as CSV or oracleGeneral, for another simulator (such as libCacheSim) or a \
            later --workload trace run.
            """
    )

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case zipf, pagination, trace, scan
    }

    enum TraceFormat: String, ExpressibleByArgument, CaseIterable {
        case csv
        case oracleGeneral = "oracle-general"
    }

    enum WrittenSizes: String, ExpressibleByArgument, CaseIterable {
        case value, cost
    }

    @Option(help: "The workload: zipf, pagination, trace (with --trace), or scan (zipf with a loop mixed in).")
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

    @Option(help: "Scan: how many distinct keys the loop walks through, in order, again and again.")
    var loopKeys = 200_000

    @Option(help: "Scan: the share of requests that are the loop's (0 to 1).")
    var loopShare = 0.3

    @Option(
        help:
            "Trace: a file of requests, in --trace-format: csv (key,size[,ttl] lines, ttl in seconds, a header line allowed) or oracle-general (libCacheSim's binary records)."
    )
    var trace: String?

    @Option(help: "Trace: the format of --trace: csv or oracle-general.")
    var traceFormat: TraceFormat = .csv

    @Option(
        help:
            "Also write the requests replayed to this file (one file per variant, the variant's name added), in --write-trace-format."
    )
    var writeTrace: String?

    @Option(help: "The format of --write-trace: csv or oracle-general.")
    var writeTraceFormat: TraceFormat = .csv

    @Option(
        help:
            "The sizes --write-trace writes: value (the value's bytes: reads back as the same trace) or cost (what the memory tier counts against its budget: key, value and overhead; for libCacheSim)."
    )
    var writeTraceSizes: WrittenSizes = .value

    @Option(
        help:
            "Memory tier: the eviction policies to compare, comma-separated (w-tinylfu, s3-fifo, second-chance; default all)."
    )
    var policies: String?

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
        let policies = try self.memoryPolicies()
        if let path = self.writeTrace {
            try self.write(variants, to: path)
        }
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
            memoryPolicies: policies,
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

    private func memoryPolicies() throws(HitRateLabError) -> [MemoryBackend.EvictionPolicy] {
        guard let list = self.policies else { return MemoryBackend.EvictionPolicy.allCases }
        var policies: [MemoryBackend.EvictionPolicy] = []
        for part in list.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let policy = MemoryBackend.EvictionPolicy(rawValue: name) else {
                throw HitRateLabError(
                    .invalidArgument,
                    "unknown eviction policy '\(name)'; known: \(MemoryBackend.EvictionPolicy.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            policies.append(policy)
        }
        guard !policies.isEmpty else { throw HitRateLabError(.invalidArgument, "--policies names no policy") }
        return policies
    }

    /// Writes each variant's trace: to `path` when there is one variant, else to `path` with the variant's name
    /// before the extension.
    private func write(_ variants: [HitRateExperiment.Variant], to path: String) throws(HitRateLabError) {
        let sizes: TraceSizes =
            self.writeTraceSizes == .cost ? .cost(namespace: "hitrate") : .value(namespace: "hitrate")
        for variant in variants {
            var target = path
            if variants.count > 1 {
                let suffix = variant.name.map { $0.isLetter || $0.isNumber ? $0 : "-" }
                let url = URL(fileURLWithPath: path)
                let base = url.deletingPathExtension().path + "-" + String(suffix)
                target = url.pathExtension.isEmpty ? base : base + "." + url.pathExtension
            }
            switch self.writeTraceFormat {
            case .csv:
                let text = try TraceFile.csv(variant.trace, sizes: sizes)
                try HitRateLabError.mapping { () throws(AdvisorError) in try TextFile.write(text, to: target) }
            case .oracleGeneral:
                do {
                    try Data(OracleGeneralTrace.encode(variant.trace, sizes: sizes)).write(
                        to: URL(fileURLWithPath: target))
                } catch {
                    throw HitRateLabError(.fileAccess, "cannot write the trace '\(target)': \(error)")
                }
            }
            report("wrote the trace\(variant.name.isEmpty ? "" : " of \(variant.name)") to \(target)")
        }
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
            let trace =
                switch self.traceFormat {
                case .csv: try TraceFile.read(path: path)
                case .oracleGeneral: try OracleGeneralTrace.read(path: path)
                }
            return (
                [.init(name: "", trace: trace)],
                "trace \(path), \(trace.requests.count) requests, \(trace.keys.count) keys"
            )
        case .scan:
            let valueSize = try ValueSizeDistribution(parsing: self.valueSize)
            let zipf = ZipfWorkload(
                keyCount: self.keys, skew: self.skew, requestCount: self.requests, valueSize: valueSize, seed: self.seed
            )
            let workload = ScanMixWorkload(zipf: zipf, loopKeyCount: self.loopKeys, loopShare: self.loopShare)
            let description =
                "Zipf \(NumberText.short(self.skew)) over \(self.keys) keys with a loop over \(self.loopKeys) keys in \(NumberText.short(self.loopShare * 100))% of requests, \(valueSize) values, \(self.requests) requests, seed \(self.seed)"
            return ([.init(name: "", trace: try workload.trace())], description)
        }
    }
}
