/// The memory tier's ratios, each taken inside many short interleaved rounds so that load from other work on a
/// shared machine falls on every scenario alike:
///
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios facade`: the facade's cost over the direct
///   backend call (``measureFacadeOverhead(_:)``).
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios scaling`: reads by 2 tasks against 1, next to
///   a shared-nothing control (``measureReadScaling(_:)``).
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios evicting-writes`: what each eviction policy
///   costs a write that evicts (``measureEvictingWrites(_:)``).
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios overwrites`: a write of a key already held,
///   directly and through the facade, against a `Mutex<[String: [UInt8]]>` (``measureOverwrites(_:)``).
///
/// Options: `--rounds N`, `--reads N` (per scenario and round), and for `facade` and `overwrites`, `--only TEXT` to
/// time just the scenarios whose name contains TEXT besides the one the ratios are taken to (for profiling one).
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "facade":
    try await measureFacadeOverhead(Options(arguments, rounds: 101, reads: 20_000))
case "scaling":
    await measureReadScaling(Options(arguments, rounds: 15, reads: 1_000_000))
case "evicting-writes":
    try await measureEvictingWrites(Options(arguments, rounds: 31, reads: 50_000))
case "overwrites":
    try await measureOverwrites(Options(arguments, rounds: 101, reads: 20_000))
default:
    print("usage: MemoryTierRatios facade|scaling|evicting-writes|overwrites [--rounds N] [--reads N] [--only TEXT]")
}
