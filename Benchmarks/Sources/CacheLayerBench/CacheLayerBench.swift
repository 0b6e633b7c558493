import ArgumentParser

/// `cachelayer-bench`: measurements that answer "what does each megabyte of cache buy?".
@main
struct CacheLayerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachelayer-bench",
        abstract: "Hit rate against memory for CacheLayer's tiers, and generated pagination traffic for the advisor.",
        discussion: """
            See Benchmarks/README.md for examples and how to read the results. The boundary advisor is a tool of \
            its own in the root package: swift run cachelayer-advise --help.
            """,
        subcommands: [HitRateCommand.self, PaginationLogCommand.self]
    )
}
