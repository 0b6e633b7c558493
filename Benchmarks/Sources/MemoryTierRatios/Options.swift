/// The command line's options, with each command's defaults.
struct Options {
    /// How many rounds; every scenario runs once per round.
    var rounds: Int
    /// Reads per scenario and round.
    var reads: Int
    /// Only the scenarios whose name contains this (and the one the ratios are taken to).
    var only: String?

    init(_ arguments: [String], rounds: Int, reads: Int) {
        func value(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        self.rounds = value("--rounds").flatMap(Int.init) ?? rounds
        self.reads = value("--reads").flatMap(Int.init) ?? reads
        self.only = value("--only")
    }
}
