import Logging
import Tracing

/// Records one cache's operations as spans, metrics and log lines.
///
/// Each piece costs nothing when unobserved: no span is started when the tracer is the no-op tracer, attributes
/// are built only for recording spans, metric instruments do not exist for the no-op metrics factory, and the
/// clock is read only when a metric or a debug log line will use the duration.
struct OperationObserver: Sendable {
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
    }

    /// An operation in flight, between ``OperationObserver/begin(_:keys:)`` and ``OperationObserver/end(_:_:)``.
    struct Operation {
        let kind: CacheOperation
        let span: (any Span)?
        let start: ContinuousClock.Instant?
        let keys: Keys
    }

    let cacheName: String
    let tracer: (any Tracer)?
    let keyCapture: KeyCapture
    let logger: Logger
    let metrics: CacheMetrics?
    /// Read per recording span: a remote backend's attributes (the peer it is connected to) can change.
    let backend: any CacheBackend

    func begin(_ kind: CacheOperation, keys: Keys) -> Operation {
        let tracer = self.tracer ?? InstrumentationSystem.tracer
        var span: (any Span)?
        if !(tracer is NoOpTracer) {
            let telemetry = self.backend.telemetry
            let started = tracer.startSpan(kind.rawValue, ofKind: telemetry.spanKind)
            if started.isRecording {
                started.updateAttributes { attributes in
                    attributes.merge(telemetry.attributes)
                    attributes[CacheSpanAttributes.sentryOp] = kind.rawValue
                    let captured = keys.captured(by: self.keyCapture)
                    if !captured.isEmpty {
                        attributes[CacheSpanAttributes.key] = captured
                    }
                }
            }
            span = started
        }
        let timed = self.metrics != nil || self.logger.logLevel <= .debug
        return Operation(kind: kind, span: span, start: timed ? .now : nil, keys: keys)
    }

    func end(_ operation: Operation, _ outcome: OperationOutcome) {
        let elapsed = operation.start.map { ContinuousClock.now - $0 }
        if let metrics = self.metrics {
            metrics.record(operation.kind, outcome: outcome, nanoseconds: Int64(clamping: (elapsed ?? .zero).clampedNanoseconds))
        }
        if let span = operation.span {
            if span.isRecording {
                Self.annotate(span, with: outcome)
            }
            if case .failed(let error) = outcome {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: error.message))
            }
        }
        self.log(operation, outcome, elapsed: elapsed)
        operation.span?.end()
    }

    private static func annotate(_ span: any Span, with outcome: OperationOutcome) {
        span.updateAttributes { attributes in
            switch outcome {
            case .hit(let size):
                attributes[CacheSpanAttributes.hit] = true
                attributes[CacheSpanAttributes.itemSize] = size
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

    private func log(_ operation: Operation, _ outcome: OperationOutcome, elapsed: Duration?) {
        let warning: CacheError? =
            switch outcome {
            case .failed(let error) where error.isBackendFailure: error
            case .undecodable(_, let error): error
            default: nil
            }
        guard warning != nil || self.logger.logLevel <= .debug else { return }

        var metadata: Logger.Metadata = ["cache.name": "\(self.cacheName)"]
        let captured = operation.keys.captured(by: self.keyCapture)
        if captured.count == 1 {
            metadata["cache.key"] = "\(captured[0])"
        } else if !captured.isEmpty {
            metadata["cache.key"] = .array(captured.map { "\($0)" })
        }
        if let elapsed {
            metadata["cache.duration_ms"] = "\(Double(elapsed.clampedNanoseconds) / 1_000_000)"
        }
        switch outcome {
        case .hit(let size):
            metadata["cache.hit"] = "true"
            metadata["cache.item_size"] = "\(size)"
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
            metadata["error.message"] = "\(error.message)"
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
