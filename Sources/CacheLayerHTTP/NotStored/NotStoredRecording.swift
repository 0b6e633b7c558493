import Logging
import Tracing

/// Tells that the response to a cacheable request was not stored: `cache.responses_not_stored` counts it, the
/// request span's `cache.decision` says why, and a debug line is logged.
package struct NotStoredRecording: Sendable {
    package let boundary: String
    package let counters: NotStoredCounters?
    package let span: (any Span)?
    package let logger: Logger

    package init(boundary: String, counters: NotStoredCounters?, span: (any Span)?, logger: Logger) {
        self.boundary = boundary
        self.counters = counters
        self.span = span
        self.logger = logger
    }

    package func callAsFunction(_ reason: NotStoredReason) {
        self.counters?.count(boundary: self.boundary, reason)
        if let span = self.span, span.isRecording { span.attributes["cache.decision"] = reason.name }
        self.logger.debug(
            "response not stored",
            metadata: ["cache.boundary": "\(self.boundary)", "cache.decision": "\(reason.name)"]
        )
    }
}
