import ArgumentParser
@_spi(Benchmarks) import CacheLayerAdvisor
import HitRateLab

/// `cachelayer-bench pagination-log`: generated pagination traffic, written as a request log for `cachelayer-advise`.
struct PaginationLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pagination-log",
        abstract: "Write generated pagination traffic as a request log (path?query,size per line).",
        discussion: """
            The same traffic as `hitrate --workload pagination` with the same options and seed. Give the file to the \
            boundary advisor: swift run -c release cachelayer-advise --budget 64MiB <file>.
            """
    )

    @Option(help: "Requests to generate.")
    var requests = 200_000

    @Option(help: "The seed of everything random.")
    var seed: UInt64 = 1

    @OptionGroup(title: "Pagination workload")
    var pagination: PaginationOptions

    @Option(help: "The request log to write.")
    var output: String

    func run() async throws {
        do {
            try self.write()
        } catch {
            throw fail(error)
        }
    }

    private func write() throws(HitRateLabError) {
        let workload = try self.pagination.workload(requests: self.requests, seed: self.seed)
        let requests = try workload.requests()
        try HitRateLabError.mapping { () throws(AdvisorError) in
            try TextFile.write(RequestLog.text(requests), to: self.output)
        }
        report(
            "cachelayer-bench pagination-log: \(workload.endpointCount) endpoints x \(workload.pageCount) pages, "
                + "\(ByteCount.format(workload.responseSize)) responses, \(self.requests) requests, seed \(self.seed): wrote \(self.output)"
        )
    }
}
