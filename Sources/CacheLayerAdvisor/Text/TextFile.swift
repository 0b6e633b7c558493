import Foundation

/// Whole-file reads and writes with errors that name the file. Shared with the Benchmarks package
/// (`@_spi(Benchmarks)`), not API.
@_spi(Benchmarks)
public enum TextFile {
    /// Reads a UTF-8 text file.
    public static func read(path: String, what: String) throws(AdvisorError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AdvisorError(.fileAccess, "cannot read \(what) '\(path)': no such file, or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AdvisorError(.fileAccess, "\(what) '\(path)' is not UTF-8 text")
        }
        return text
    }

    /// Writes `text` to `path`, creating the folder it is in.
    public static func write(_ text: String, to path: String) throws(AdvisorError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        } catch {
            throw AdvisorError(.fileAccess, "cannot write '\(path)': \(error.localizedDescription)")
        }
    }
}
