import ArgumentParser

/// `cachelayer-bench`: measurements that answer "what does each megabyte of cache buy?".
@main
struct CacheLayerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachelayer-bench",
        abstract: "Hit rate against memory for CacheLayer's tiers, and a pagination boundary advisor.",
        discussion: "See Benchmarks/README.md for examples and how to read the results.",
        subcommands: [HitRateCommand.self, AdviseCommand.self]
    )
}
