import CacheLayer
import CoreMetrics
import Yams

extension CacheBoundaries {
    /// Reads boundaries from YAML: the same fields as ``CacheBoundaries/init(json:metricsFactory:)``.
    ///
    /// ```yaml
    /// endpoints:
    ///   - name: order-items
    ///     path: /admin/order-items
    ///     ttl: 60s
    ///     pagination:
    ///       highest_cached_page: 1
    ///       common_filters: { status: [open, shipped], sort: [newest] }
    /// ```
    /// - Throws: ``CacheError/Code/invalidConfiguration`` naming the field at fault.
    public init(yaml: String, metricsFactory: (any MetricsFactory)? = nil) throws(CacheError) {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: yaml)
        } catch {
            throw Self.describe(error)
        }
        try self.init(file, metricsFactory: metricsFactory)
    }
}
