import Logging
import Tracing

/// Tells that the response to a cacheable request was not stored: `cache.responses_not_stored` counts it, the
/// request span's `cache.decision` says why, and a debug line is logged.
struct NotStoredRecording: Sendable {
    let boundary: String
    let counters: NotStoredCounters?
    let span: (any Span)?
    let logger: Logger

    func callAsFunction(_ reason: NotStoredReason) {
        self.counters?.count(boundary: self.boundary, reason)
        if let span = self.span, span.isRecording { span.attributes["cache.decision"] = reason.name }
        self.logger.debug(
            "response not stored",
            metadata: ["cache.boundary": "\(self.boundary)", "cache.decision": "\(reason.name)"]
        )
    }
}
