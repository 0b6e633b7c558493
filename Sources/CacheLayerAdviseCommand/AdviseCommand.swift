import ArgumentParser
import CacheLayerAdvisor
import Foundation

/// `cachelayer-advise [log]`: which pagination boundary to cache for a memory budget, measured on a request log.
struct AdviseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Recommend a pagination boundary (highest cached page, common filter values) for a memory budget.",
        discussion: """
            Reads a request log: one request a line, path?query[,size] as a web server logs it, or a recorded \
            cache.key (namespace:path?query); size is the response's bytes (--response-size when absent); a header \
            line, blank lines and #-comments are skipped. Every candidate boundary is replayed through CacheLayer's \
            memory tier; the table shows each one's miss rate and memory, and the recommendation is the lowest miss \
            rate whose cached responses fit --budget. The table goes to standard output, progress to standard error.
            """
    )

    @Argument(help: "The request log ('-' for standard input).")
    var log: String

    @Option(help: "The memory the cache may use (e.g. 64MiB).")
    var budget: String

    @Option(help: "Candidate highest cached pages: 1 up to this.")
    var maxPage = 10

    @Option(
        help: "Candidate filter sets: each filter's N most requested values, comma-separated; 'all' for every value.")
    var filterValues = "1,2,3,all"

    @Option(help: "The page parameter's name.")
    var pageParameter = "page"

    @Option(help: "Parameters that never change the response (dropped from keys), comma-separated.")
    var volatileParameters = ""

    @Option(help: "The response size of log lines without one (e.g. 8KiB).")
    var responseSize = "8KiB"

    @Option(help: "Also write the table as CSV to this file.")
    var csv: String?

    func run() async throws {
        do {
            try await self.advise()
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func advise() async throws(AdvisorError) {
        let budget = try ByteCount.parse(self.budget, what: "the budget")
        guard budget > 0 else {
            throw AdvisorError(.invalidArgument, "the budget '\(self.budget)' is zero; it must be at least 1 byte")
        }
        let defaultSize = try ByteCount.parse(self.responseSize, what: "the response size")
        let requests = try self.readLog(defaultSize: defaultSize)
        progress(
            "cachelayer-advise: \(self.log == "-" ? "standard input" : self.log), \(requests.count) requests; budget \(ByteCount.format(budget))"
        )
        let advisor = BoundaryAdvisor(
            budget: budget,
            highestPages: self.maxPage,
            filterValueCounts: try self.parsedFilterValueCounts(),
            pageParameter: .page(self.pageParameter),
            volatileParameters: Set(
                self.volatileParameters.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        )
        let advice = try await advisor.advise(requests, progress: progress)
        print(AdviceTable.text(advice, budget: budget))
        if let csv = self.csv {
            do {
                try Data(AdviceTable.csv(advice).utf8).write(to: URL(fileURLWithPath: csv))
            } catch {
                throw AdvisorError(.fileAccess, "cannot write '\(csv)': \(error.localizedDescription)")
            }
            progress("Wrote \(csv)")
        }
    }

    /// The log from its file, or from standard input for `-`.
    private func readLog(defaultSize: Int) throws(AdvisorError) -> [EndpointRequest] {
        guard self.log == "-" else { return try RequestLog.read(path: self.log, defaultSize: defaultSize) }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            throw AdvisorError(.fileAccess, "standard input is not UTF-8 text")
        }
        return try RequestLog.parse(text, name: "standard input", defaultSize: defaultSize)
    }

    /// `1,2,3,all` as filter value counts (`nil` for all).
    private func parsedFilterValueCounts() throws(AdvisorError) -> [Int?] {
        var counts: [Int?] = []
        for part in self.filterValues.split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text == "all" {
                counts.append(nil)
            } else if let count = Int(text), count >= 1 {
                counts.append(count)
            } else {
                throw AdvisorError(
                    .invalidArgument,
                    "the filter value count '\(text)' is neither a whole number of 1 or more nor 'all'")
            }
        }
        return counts
    }
}

/// Prints progress on standard error, so standard output carries only the results.
@Sendable
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
