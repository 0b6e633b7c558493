/// The memory tier's two ratios, each taken inside many short interleaved rounds so that load from other work on a
/// shared machine falls on every scenario alike:
///
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios facade`: the facade's cost over the direct
///   backend call (``measureFacadeOverhead(_:)``).
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios scaling`: reads by 2 tasks against 1, next to
///   a shared-nothing control (``measureReadScaling(_:)``).
/// - `swift run -c release --package-path Benchmarks MemoryTierRatios evicting-writes`: what each eviction policy
///   costs a write that evicts (``measureEvictingWrites(_:)``).
///
/// Options: `--rounds N`, `--reads N` (per scenario and round), and for `facade`, `--only TEXT` to time just the
/// scenarios whose name contains TEXT besides the direct call (for profiling one).
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "facade":
    try await measureFacadeOverhead(Options(arguments, rounds: 101, reads: 20_000))
case "scaling":
    await measureReadScaling(Options(arguments, rounds: 15, reads: 1_000_000))
case "evicting-writes":
    try await measureEvictingWrites(Options(arguments, rounds: 31, reads: 50_000))
default:
    print("usage: MemoryTierRatios facade|scaling|evicting-writes [--rounds N] [--reads N] [--only TEXT]")
}
