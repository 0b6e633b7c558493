import ArgumentParser
import CacheLayerAdvisor
import Foundation

/// `cachelayer-advise live`: a boundary per endpoint for one memory budget, from a running server's traffic sample.
struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Recommend a boundary per endpoint from a live traffic sample, sharing one memory budget.",
        discussion: """
            Reads a LiveTraffic snapshot (JSON, as a server writes LiveTrafficSample.snapshot() with JSONEncoder): \
            each endpoint's request count and a sample of its requests counted by page and filter, with sizes and \
            the origin's time. The budget goes to the boundaries that save the most origin time per byte \
            (requests per minute x time saved); each one's miss rate is predicted by replaying it through the memory \
            tier at its share of the budget. The table goes to standard output, progress to standard error.
            """
    )

    @Argument(help: "The LiveTraffic snapshot, JSON ('-' for standard input).")
    var snapshot: String

    @Option(help: "The memory all the endpoints' cached responses may use (e.g. 64MiB).")
    var budget: String

    @Option(help: "Candidate highest cached pages: 1 up to this.")
    var maxPage = 10

    @Option(help: "Requests drawn per endpoint for the replays.")
    var replayLength = 100_000

    func run() async throws {
        do {
            let budget = try ByteCount.parse(self.budget, what: "the budget")
            let traffic = try self.readSnapshot()
            let advisor = LiveBoundaryAdvisor(
                budget: budget, highestPages: self.maxPage, replayLength: self.replayLength)
            print(LiveAdviceTable.text(try await advisor.advise(traffic, progress: progress)))
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func readSnapshot() throws(AdvisorError) -> LiveTraffic {
        let data: Data
        if self.snapshot == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: self.snapshot))
            } catch {
                throw AdvisorError(.fileAccess, "cannot read '\(self.snapshot)': \(error.localizedDescription)")
            }
        }
        do {
            return try JSONDecoder().decode(LiveTraffic.self, from: data)
        } catch {
            throw AdvisorError(.invalidArgument, "the snapshot is not a LiveTraffic JSON document: \(error)")
        }
    }
}
