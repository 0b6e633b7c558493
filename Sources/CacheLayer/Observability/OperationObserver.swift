import Logging
import Tracing

/// Records one cache's operations as spans, metrics and log lines.
///
/// Each piece costs nothing when unobserved: ``begin(_:keys:tags:)`` returns `nil` when no tracer is in force, no
/// metrics factory was bootstrapped and the logger is not at debug level, and the cache then calls its backend
/// directly. The tracer is the one the cache was made with (its configuration's, else the one in force when it was
/// made); only a cache configured to resolve it per call looks it up on each call. Attributes are built only for recording spans, and the clock is read only when a metric or a debug
/// line will use the duration.
final class OperationObserver: Sendable {
    /// The keys an operation touches; a single key is held without allocating an array.
    enum Keys {
        case none
        case one(CacheKey)
        case many([CacheKey])

        func captured(by capture: KeyCapture) -> [String] {
            switch self {
            case .none: []
            case .one(let key): capture.capture(key).map { [$0] } ?? []
            case .many(let keys): keys.compactMap(capture.capture)
            }
        }

        /// The key whose server a span names (a batch's first).
        var first: CacheKey? {
            switch self {
            case .none: nil
            case .one(let key): key
            case .many(let keys): keys.first
            }
        }
    }

    /// An observed operation in flight, between ``OperationObserver/begin(_:keys:)`` and
    /// ``OperationObserver/end(_:_:)``. A class, so the unobserved path handles only a `nil` pointer; it is
    /// allocated only when something observes the call.
    final class Operation {
        let kind: CacheOperation
        let keys: Keys
        let span: (any Span)?
        /// Monotonic nanoseconds at the start, or `nil` when nothing will use the duration.
        let start: UInt64?

        init(kind: CacheOperation, keys: Keys, span: (any Span)?, start: UInt64?) {
            self.kind = kind
            self.keys = keys
            self.span = span
            self.start = start
        }
    }

    let cacheName: String
    /// The tracer of every call; `nil`: the one in force at each call (per-call resolution).
    let tracer: (any Tracer)?
    let keyCapture: KeyCapture
    let logger: Logger
    let metrics: CacheMetrics?
    /// Read per recording span: a remote backend's attributes (the peer it is connected to) can change.
    let backend: any CacheBackend
    /// The configured tracer is the no-op tracer: no per-call lookup of the global one.
    private let tracingOff: Bool
    /// The logger discards everything whatever its level (swift-log's no-op handler): no per-call level check.
    private let loggingOff: Bool
    /// No metrics and no logging: only a tracer could observe a call.
    private let onlyTracingCouldObserve: Bool
    /// Nothing can observe a call (no-op tracer, no metrics, no logging): ``begin(_:keys:tags:)`` is one flag check.
    private let unobserved: Bool

    /// Whether nothing can observe a call: no span, metric or log would be recorded, so a hot path may skip the
    /// bookkeeping that only feeds them.
    var isUnobserved: Bool { self.unobserved }

    init(
        cacheName: String,
        tracer: (any Tracer)?,
        keyCapture: KeyCapture,
        logger: Logger,
        metrics: CacheMetrics?,
        backend: any CacheBackend
    ) {
        self.cacheName = cacheName
        self.tracer = tracer
        self.keyCapture = keyCapture
        self.logger = logger
        self.metrics = metrics
        self.backend = backend
        self.tracingOff = tracer is NoOpTracer
        self.loggingOff = logger.handler is SwiftLogNoOpLogHandler
        self.onlyTracingCouldObserve = metrics == nil && self.loggingOff
        self.unobserved = self.onlyTracingCouldObserve && self.tracingOff
    }

    /// The tracer for this call: the cache's, else (per-call resolution) the one in force now; `nil` when that is
    /// the no-op tracer.
    @inline(__always)
    func currentTracer() -> (any Tracer)? {
        if self.tracingOff { return nil }
        if let tracer = self.tracer { return tracer }
        return Self.globalTracer()
    }

    /// The tracer in force now: a task-local one (`withTracer`), else the bootstrapped one; `nil` for the no-op tracer.
    ///
    /// One read of `InstrumentationSystem.instrument`, the only public way to find it (a task-local read, then the
    /// bootstrapped instrument under a reader lock): with nothing bootstrapped that is `NoOpInstrument`, recognised by
    /// its type alone. Only a `MultiplexInstrument` takes the full search (`InstrumentationSystem.tracer`, which walks
    /// its members with protocol casts). Kept out of line so that the callers' fast paths stay small.
    @inline(never)
    private static func globalTracer() -> (any Tracer)? {
        let instrument = InstrumentationSystem.instrument
        let type = ObjectIdentifier(type(of: instrument))
        if type == ObjectIdentifier(NoOpInstrument.self) || type == ObjectIdentifier(NoOpTracer.self) {
            return nil
        }
        if let tracer = instrument as? any Tracer {
            return tracer
        }
        let tracer = InstrumentationSystem.tracer
        return tracer is NoOpTracer ? nil : tracer
    }

    private var logsDebug: Bool { !self.loggingOff && self.logger.logLevel <= .debug }

    /// Starts observing an operation, or returns `nil` when nothing would see it.
    ///
    /// Inlined into every call site, so that the usual unobserved call (no metrics, no logging, the no-op tracer)
    /// returns `nil` after one flag check; nothing is looked up or built for it. Only a cache that resolves its
    /// tracer per call pays the lookup.
    @inline(__always)
    func begin(_ kind: CacheOperation, keys: Keys, tags: [String] = []) -> Operation? {
        if self.unobserved { return nil }
        if self.onlyTracingCouldObserve {
            guard !self.tracingOff, let tracer = self.currentTracer() else { return nil }
            return self.beginObserved(kind, keys: keys, tags: tags, tracer: tracer)
        }
        return self.beginObserved(kind, keys: keys, tags: tags, tracer: self.currentTracer())
    }

    /// ``begin(_:keys:tags:)`` once something may observe the call: a tracer is in force, or metrics or logs are
    /// on. `tags` are the tags the application declared (`cache.tags`), captured like keys.
    private func beginObserved(
        _ kind: CacheOperation, keys: Keys, tags: [String], tracer: (any Tracer)?
    ) -> Operation? {
        let timed = self.metrics != nil || self.logsDebug
        guard tracer != nil || timed else { return nil }
        var span: (any Span)?
        if let tracer {
            let started = tracer.startSpan(kind.rawValue, ofKind: self.backend.telemetry.spanKind)
            if started.isRecording {
                started.updateAttributes { attributes in
                    attributes[CacheSpanAttributes.sentryOp] = kind.rawValue
                    attributes[CacheSpanAttributes.operation] = kind.conventionName
                    let captured = keys.captured(by: self.keyCapture)
                    if !captured.isEmpty {
                        attributes[CacheSpanAttributes.key] = captured
                    }
                    let capturedTags = tags.compactMap { self.keyCapture.capture(tag: $0) }
                    if !capturedTags.isEmpty {
                        attributes[CacheSpanAttributes.tags] = capturedTags
                    }
                }
            }
            span = started
        }
        return Operation(kind: kind, keys: keys, span: span, start: timed ? SystemCacheClock().nanosecondsNow() : nil)
    }

    /// Starts a `cache.lock` span: a read-through caller taking the distributed lock, waiting while another
    /// process holds it. `nil` when no tracer is in force.
    func beginLock(_ key: CacheKey) -> (any Span)? {
        guard let tracer = self.currentTracer() else { return nil }
        let span = tracer.startSpan(Self.lockOperation, ofKind: .internal)
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[CacheSpanAttributes.sentryOp] = Self.lockOperation
                if let captured = self.keyCapture.capture(key) {
                    attributes[CacheSpanAttributes.key] = [captured]
                }
            }
        }
        return span
    }

    /// Ends a `cache.lock` span: whether this caller got the lock, how long it waited, whether it gave up.
    func endLock(_ span: (any Span)?, acquired: Bool, waited: Duration, timedOut: Bool) {
        guard let span else { return }
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes[CacheSpanAttributes.lockAcquired] = acquired
                attributes[CacheSpanAttributes.lockWaitMilliseconds] = Int(waited.wholeMilliseconds)
                attributes[CacheSpanAttributes.lockTimedOut] = timedOut
            }
        }
        span.end()
    }

    static let lockOperation = "cache.lock"

    /// Logs a warning that a refresh failed; the cached value stays until its grace ends.
    func warnRefreshFailed(_ key: CacheKey, _ error: any Error) {
        guard !self.loggingOff, self.logger.logLevel <= .warning else { return }
        var metadata: Logger.Metadata = [
            "cache.name": "\(self.cacheName)",
            "error.message": "\(self.keyCapture.scrub("\(error)", keys: .one(key)))",
        ]
        if let captured = self.keyCapture.capture(key) {
            metadata["cache.key"] = "\(captured)"
        }
        self.logger.warning("refresh failed; serving the cached value until its grace period ends", metadata: metadata)
    }

    /// Logs a warning that a removal or invalidation failed and is kept for replay (or that the queue was full and
    /// became one flush of the namespace). The error's message obeys the key-capture setting (it is scrubbed of the
    /// keys the message could name).
    func warnInvalidationKept(collapsed: Bool, _ error: CacheError) {
        guard !self.loggingOff, self.logger.logLevel <= .warning else { return }
        let metadata: Logger.Metadata = [
            "cache.name": "\(self.cacheName)",
            "error.type": "\(error.code.name)",
            "error.message": "\(self.keyCapture.recordsKeysAsTheyAre ? error.message : "[omitted: key capture]")",
        ]
        self.logger.warning(
            collapsed
                ? "removal failed and the replay queue is full: the whole namespace will be flushed once the backend answers"
                : "removal failed; kept for replay, and the cache reads nothing from the backend until it is replayed",
            metadata: metadata)
    }

    /// Logs (at info) that kept removals were replayed.
    func noteReplayedInvalidations(_ count: Int, left: Bool) {
        guard !self.loggingOff, self.logger.logLevel <= .info else { return }
        self.logger.info(
            "replayed \(count) failed removals",
            metadata: ["cache.name": "\(self.cacheName)", "cache.replay_done": "\(!left)"])
    }

    /// Logs a warning that a load failed or timed out and a stale value was served instead (stale if error).
    func warnServedStale(_ key: CacheKey, after error: any Error) {
        guard !self.loggingOff, self.logger.logLevel <= .warning else { return }
        var metadata: Logger.Metadata = [
            "cache.name": "\(self.cacheName)",
            "error.type": "\((error as? CacheError)?.code.name ?? String(reflecting: type(of: error)))",
            "error.message": "\(self.keyCapture.scrub("\(error)", keys: .one(key)))",
        ]
        if let captured = self.keyCapture.capture(key) {
            metadata["cache.key"] = "\(captured)"
        }
        self.logger.warning("load failed; serving the stale value", metadata: metadata)
    }

    /// An operation record for an event that is reported even when the call was not observed (a value that does not
    /// decode): metrics and logs only, no span.
    func forced(_ kind: CacheOperation, keys: Keys) -> Operation {
        Operation(kind: kind, keys: keys, span: nil, start: nil)
    }

    /// Ends an operation. For an unobserved one (`operation` is `nil`) only a failure is reported, as a warning.
    func end(_ operation: Operation?, _ outcome: OperationOutcome, kind: CacheOperation, keys: @autoclosure () -> Keys)
    {
        guard let operation else {
            if case .failed(let error) = outcome, error.isBackendFailure, !self.loggingOff {
                self.log(self.forced(kind, keys: keys()), outcome, elapsed: nil)
            }
            return
        }
        self.end(operation, outcome)
    }

    func end(_ operation: Operation, _ outcome: OperationOutcome) {
        let elapsed = operation.start.map { SystemCacheClock().nanosecondsNow() &- $0 }
        if let metrics = self.metrics {
            metrics.record(operation.kind, outcome: outcome, nanoseconds: Int64(clamping: elapsed ?? 0))
        }
        if let span = operation.span {
            if span.isRecording {
                // The backend's attributes are read now, when the peer that served the call is known.
                let backendAttributes = self.backend.spanAttributes(forKey: operation.keys.first)
                span.updateAttributes { $0.merge(backendAttributes) }
                Self.annotate(span, with: outcome)
            }
            if case .failed(let error) = outcome {
                // Key text in the error (a backend's message, an underlying error) obeys the key-capture setting.
                let recorded = self.keyCapture.scrub(error, keys: operation.keys)
                span.recordError(recorded)
                span.setStatus(SpanStatus(code: .error, message: recorded.message))
            }
        }
        self.log(operation, outcome, elapsed: elapsed)
        operation.span?.end()
    }

    private static func annotate(_ span: any Span, with outcome: OperationOutcome) {
        span.updateAttributes { attributes in
            switch outcome {
            case .hit(let size, let stale, let age):
                attributes[CacheSpanAttributes.hit] = true
                attributes[CacheSpanAttributes.itemSize] = size
                if stale {
                    attributes[CacheSpanAttributes.stale] = true
                }
                if let age {
                    attributes[CacheSpanAttributes.itemAge] = age
                }
            case .miss(let size):
                attributes[CacheSpanAttributes.hit] = false
                if size > 0 {
                    attributes[CacheSpanAttributes.itemSize] = size
                }
            case .undecodable:
                attributes[CacheSpanAttributes.hit] = false
            case .written(let written, let size, let ttl):
                attributes[CacheSpanAttributes.write] = written
                attributes[CacheSpanAttributes.itemSize] = size
                if let ttl {
                    attributes[CacheSpanAttributes.ttl] = ttl.roundedSeconds
                }
            case .removed:
                attributes[CacheSpanAttributes.write] = true
            case .failed(let error):
                attributes[CacheSpanAttributes.errorType] = error.code.name
                if let status = error.responseStatusCode {
                    attributes[CacheSpanAttributes.responseStatusCode] = status
                }
            }
        }
    }

    private func log(_ operation: Operation, _ outcome: OperationOutcome, elapsed: UInt64?) {
        guard !self.loggingOff else { return }
        let warning: CacheError? =
            switch outcome {
            case .failed(let error) where error.isBackendFailure: self.keyCapture.scrub(error, keys: operation.keys)
            case .undecodable(_, let error): self.keyCapture.scrub(error, keys: operation.keys)
            default: nil
            }
        let level = self.logger.logLevel
        guard level <= .debug || (warning != nil && level <= .warning) else { return }

        var metadata: Logger.Metadata = ["cache.name": "\(self.cacheName)"]
        let captured = operation.keys.captured(by: self.keyCapture)
        if captured.count == 1 {
            metadata["cache.key"] = "\(captured[0])"
        } else if !captured.isEmpty {
            metadata["cache.key"] = .array(captured.map { "\($0)" })
        }
        if let elapsed {
            metadata["cache.duration_ms"] = "\(Double(elapsed) / 1_000_000)"
        }
        switch outcome {
        case .hit(let size, let stale, _):
            metadata["cache.hit"] = "true"
            metadata["cache.item_size"] = "\(size)"
            if stale {
                metadata["cache.stale"] = "true"
            }
        case .miss:
            metadata["cache.hit"] = "false"
        case .undecodable(let size, _):
            metadata["cache.hit"] = "false"
            metadata["cache.item_size"] = "\(size)"
        case .written(let written, let size, let ttl):
            metadata["cache.write"] = "\(written)"
            metadata["cache.item_size"] = "\(size)"
            if let ttl {
                metadata["cache.ttl"] = "\(ttl.roundedSeconds)"
            }
        case .removed:
            break
        case .failed(let error):
            metadata["error.type"] = "\(error.code.name)"
            metadata["error.message"] = "\(self.keyCapture.scrub(error.message, keys: operation.keys))"
        }

        // Log inside the span's context, so a metadata provider (swift-otel's, for one) adds its trace and span ids.
        let emit = {
            if let warning {
                self.logger.warning("\(operation.kind.rawValue) failed: \(warning.message)", metadata: metadata)
            } else {
                self.logger.debug("\(operation.kind.rawValue)", metadata: metadata)
            }
        }
        if let span = operation.span {
            InstrumentationContext.withValue(span.context, operation: emit)
        } else {
            emit()
        }
    }
}
