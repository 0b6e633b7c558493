@_spi(Benchmarks) import CacheLayerAdvisor

/// Reads a trace in CSV: one request a line, `key,size[,ttl]`, where size is the value's bytes and ttl its
/// time-to-live in seconds (decimals allowed; empty or 0 for none). The first line may be a header (any first line
/// whose size field is not a number). Blank lines and lines starting with `#` are skipped. Keys cannot contain
/// commas (there is no quoting).
public enum TraceFile {
    /// Reads and parses the file at `path`.
    /// - Throws: ``HitRateLabError/Code/fileAccess`` when it cannot be read, ``HitRateLabError/Code/malformedTrace``
    ///   naming the line otherwise.
    public static func read(path: String) throws(HitRateLabError) -> RequestTrace {
        try Self.parse(
            try HitRateLabError.mapping { () throws(AdvisorError) in try TextFile.read(path: path, what: "the trace") },
            name: path)
    }

    /// Parses trace text; `name` is used in error messages.
    public static func parse(_ text: String, name: String) throws(HitRateLabError) -> RequestTrace {
        var builder = RequestTraceBuilder()
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.trimmingWhitespace().isEmpty || line.hasPrefix("#") { continue }
            func malformed(_ problem: String) -> HitRateLabError {
                HitRateLabError(.malformedTrace, "\(name) line \(lineNumber): \(problem) (expected key,size[,ttl])")
            }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 2 || fields.count == 3 else {
                throw malformed("\(fields.count) fields in '\(line.prefix(80))'")
            }
            let key = fields[0].trimmingWhitespace()
            let sizeField = fields[1].trimmingWhitespace()
            guard let size = Int(sizeField) else {
                // A header line.
                if builder.result.requests.isEmpty && lineNumber == Self.firstContentLine(text) { continue }
                throw malformed("the size '\(sizeField)' is not a whole number of bytes")
            }
            guard !key.isEmpty else { throw malformed("the key is empty") }
            guard size >= 0, size <= Int(Int32.max) else { throw malformed("the size \(size) is out of range") }
            var ttlMilliseconds: Int64 = 0
            if fields.count == 3 {
                let ttlField = fields[2].trimmingWhitespace()
                if !ttlField.isEmpty {
                    guard let seconds = Double(ttlField), seconds.isFinite, seconds >= 0, seconds < 1e12 else {
                        throw malformed("the ttl '\(ttlField)' is not a number of seconds")
                    }
                    ttlMilliseconds = Int64((seconds * 1000).rounded(.up))
                }
            }
            builder.append(key: String(key), size: size, ttlMilliseconds: ttlMilliseconds)
        }
        guard !builder.result.requests.isEmpty else {
            throw HitRateLabError(.malformedTrace, "\(name) holds no requests")
        }
        return builder.result
    }

    /// The trace as CSV this reader reads back (and libCacheSim's csv reader reads with
    /// `obj-id-col=1,obj-size-col=2,delimiter=,,has-header=false,obj-id-is-num=false`): one `key,size` line per
    /// request, `,ttl` in seconds added when the request has one, no header. Requests that bypass the cache are left
    /// out. Keys holding a comma or a line break cannot be written (there is no quoting).
    /// - Throws: ``HitRateLabError/Code/invalidArgument`` naming the first such key.
    public static func csv(
        _ trace: RequestTrace, sizes: TraceSizes = .value(namespace: "hitrate")
    ) throws(HitRateLabError)
        -> String
    {
        if let bad = trace.keys.first(where: {
            $0.contains(",") || $0.contains(where: \.isNewline) || $0.hasPrefix("#")
        }) {
            throw HitRateLabError(
                .invalidArgument,
                "the key '\(bad.prefix(80))' holds a comma, a line break or a leading '#' and cannot be written as CSV")
        }
        var text = ""
        for request in trace.requests where request.isCacheable {
            text += trace.keys[Int(request.key)]
            text += ","
            text += String(sizes.size(of: request, in: trace))
            if request.ttlMilliseconds > 0 {
                text += "," + String(Double(request.ttlMilliseconds) / 1000)
            }
            text += "\n"
        }
        return text
    }

    /// The number of the first line that is neither blank nor a comment (where a header may be).
    private static func firstContentLine(_ text: String) -> Int {
        var number = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            if !line.trimmingWhitespace().isEmpty && !line.hasPrefix("#") { return number }
        }
        return number
    }
}
