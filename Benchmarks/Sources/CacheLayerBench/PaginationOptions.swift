import ArgumentParser
import CacheLayerAdvisor
import HitRateLab

/// The synthetic pagination traffic's shape, shared by `hitrate --workload pagination` and
/// `pagination-log`.
struct PaginationOptions: ParsableArguments {
    @Option(help: "Distinct list endpoints (/stores/N/order-items), Zipf-distributed.")
    var endpoints = 200

    @Option(help: "Zipf exponent over endpoints.")
    var endpointSkew = 1.0

    @Option(help: "The deepest page requested.")
    var pages = 20

    @Option(help: "Zipf exponent over pages (page 1 most requested).")
    var pageSkew = 1.0

    @Option(help: "Every response's size, e.g. 8KiB.")
    var responseSize = "8KiB"

    func workload(requests: Int, seed: UInt64) throws(HitRateLabError) -> PaginationWorkload {
        PaginationWorkload(
            endpointCount: self.endpoints,
            endpointSkew: self.endpointSkew,
            pageCount: self.pages,
            pageSkew: self.pageSkew,
            requestCount: requests,
            responseSize: try HitRateLabError.mapping { () throws(AdvisorError) in
                try ByteCount.parse(self.responseSize, what: "the response size")
            },
            seed: seed
        )
    }
}
