import ArgumentParser

/// `cachelayer-advise`: the boundary advisor's command line. Its default command reads a request log
/// (`cachelayer-advise requests.csv --budget 64MiB`); `live` reads a running server's traffic sample.
@main
struct AdviseTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachelayer-advise",
        abstract: "Recommend cache boundaries for a memory budget, from a request log or a live traffic sample.",
        subcommands: [AdviseCommand.self, LiveCommand.self],
        defaultSubcommand: AdviseCommand.self
    )
}
