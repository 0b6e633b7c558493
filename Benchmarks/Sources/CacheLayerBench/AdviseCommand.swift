import ArgumentParser
import Foundation
import HitRateLab

/// `cachelayer-bench advise`: which pagination boundary to cache for a memory budget.
struct AdviseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advise",
        abstract: "Measure candidate pagination boundaries (highest cached page, filter sets) and recommend one for a budget.",
        discussion: """
            Give a request log (--log: lines path?query[,size], or recorded cache.key values namespace:path?query), \
            or let it generate pagination traffic (the pagination options). For each boundary it reports the miss \
            rate and the memory its cached responses take, and recommends the lowest miss rate that fits --budget.
            """
    )

    @Option(help: "The memory the cache may use (e.g. 8MiB).")
    var budget: String

    @Option(help: "A request log: path?query[,size] per line (a header line allowed).")
    var log: String?

    @Option(help: "Candidate highest cached pages: 1 up to this.")
    var maxPage = 10

    @Option(help: "Candidate filter sets: each filter's N most requested values, comma-separated; 'all' for every value.")
    var filterValues = "1,2,3,all"

    @Option(help: "The page parameter's name.")
    var pageParameter = "page"

    @Option(help: "Parameters that never change the response (dropped from keys), comma-separated.")
    var volatileParameters = ""

    @Option(help: "Generated traffic: requests.")
    var requests = 200_000

    @Option(help: "Generated traffic: the seed.")
    var seed: UInt64 = 1

    @OptionGroup(title: "Generated pagination traffic (without --log)")
    var pagination: PaginationOptions

    @Option(help: "Also write the table as CSV to this file.")
    var csv: String?

    func run() async throws {
        do {
            try await self.advise()
        } catch {
            throw fail(error)
        }
    }

    private func advise() async throws(HitRateLabError) {
        let budget = try ByteCount.parse(self.budget, what: "the budget")
        guard budget > 0 else { throw HitRateLabError(.invalidArgument, "the budget '\(self.budget)' is zero; it must be at least 1 byte") }
        var counts: [Int?] = []
        for part in self.filterValues.split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text == "all" {
                counts.append(nil)
            } else if let count = Int(text), count >= 1 {
                counts.append(count)
            } else {
                throw HitRateLabError(.invalidArgument, "the filter value count '\(text)' is neither a whole number of 1 or more nor 'all'")
            }
        }
        let requests: [EndpointRequest]
        let source: String
        if let log = self.log {
            requests = try RequestLog.read(path: log, defaultSize: try ByteCount.parse(self.pagination.responseSize, what: "the response size"))
            source = "\(log), \(requests.count) requests"
        } else {
            let workload = try self.pagination.workload(requests: self.requests, seed: self.seed)
            requests = try workload.requests()
            source = "generated: \(workload.endpointCount) endpoints x \(workload.pageCount) pages, \(ByteCount.format(workload.responseSize)) responses, \(self.requests) requests, seed \(self.seed)"
        }
        report("cachelayer-bench advise: \(source); budget \(ByteCount.format(budget))")
        let advisor = BoundaryAdvisor(
            budget: budget,
            highestPages: self.maxPage,
            filterValueCounts: counts,
            pageParameter: .page(self.pageParameter),
            volatileParameters: Set(self.volatileParameters.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        )
        let advice = try await advisor.advise(requests, progress: report)
        print(AdviceTable.text(advice, budget: budget))
        if let csv = self.csv {
            try TextFile.write(AdviceTable.csv(advice), to: csv)
            print("Wrote \(csv)")
        }
    }
}
