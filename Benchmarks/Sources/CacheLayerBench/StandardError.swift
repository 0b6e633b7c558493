import ArgumentParser
import Foundation
import HitRateLab

/// Prints progress on standard error, so standard output carries only the results.
func report(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints `error: <message>` on standard error and ends the command with status 1.
func fail(_ error: HitRateLabError) -> ExitCode {
    report("error: \(error.message)")
    return ExitCode.failure
}
