import CoreMetrics

/// The memory tier's gauges and counters, fed with what each operation changed.
struct MemoryBackendMetrics: Sendable {
    let bytes: Meter
    let entries: Meter
    let evictions: Counter
    let expirations: Counter

    /// Returns `nil` when `factory` is the no-op factory, so an unobserved store does no metric work at all.
    init?(factory: any MetricsFactory, label: String) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        let dimensions = [("backend", label)]
        self.bytes = Meter(label: "cache.memory.bytes", dimensions: dimensions, factory: factory)
        self.entries = Meter(label: "cache.memory.entries", dimensions: dimensions, factory: factory)
        self.evictions = Counter(label: "cache.memory.evictions", dimensions: dimensions, factory: factory)
        self.expirations = Counter(label: "cache.memory.expirations", dimensions: dimensions, factory: factory)
    }

    func record(from before: ShardStore.Counters, to after: ShardStore.Counters) {
        Self.move(self.bytes, by: after.bytes - before.bytes)
        Self.move(self.entries, by: after.entries - before.entries)
        if after.evictions != before.evictions {
            self.evictions.increment(by: after.evictions - before.evictions)
        }
        if after.expirations != before.expirations {
            self.expirations.increment(by: after.expirations - before.expirations)
        }
    }

    private static func move(_ meter: Meter, by delta: Int) {
        if delta > 0 {
            meter.increment(by: Double(delta))
        } else if delta < 0 {
            meter.decrement(by: Double(-delta))
        }
    }
}
