import AsyncHTTPClient
import CacheLayer
import CacheLayerSampling
import Foundation
import InMemoryTracing
import Logging
import OrderItems
import Testing
import Tracing

/// The sampling tracer behind a real Hummingbird server: Hummingbird's `TracingMiddleware` starts the request span
/// as `HTTP <method> route not found` and names the route after routing, so a chosen path is recognised by the
/// span's `url.path`. The only test of this process that bootstraps the global tracer (the middleware reads it).
@Suite struct PathSamplingSmokeTests {
    @Test func everyRequestToAChosenPathIsKeptAndNoOtherWithARatioOfZero() async throws {
        let recorded = InMemoryTracer()
        InstrumentationSystem.bootstrap(
            SamplingTracer(wrapping: recorded, alwaysKeepingPaths: ["/admin/orders/"], ratio: 0))
        try await SmokeServer.run { port, _ in
            let replayer = TrafficReplayer(port: port, concurrency: 1, timeLimit: .seconds(60))
            for _ in 0..<3 {
                _ = await replayer.send(Visit(OrderItemsQuery()))
                var request = HTTPClientRequest(
                    url: "http://127.0.0.1:\(port)\(OrderStatusWrite.target(order: 999_999, from: .open, to: .open))")
                request.method = .PUT
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
        }
        // Other suites' servers run in this process too: count this test's writes by their order, 999999.
        let roots = recorded.finishedSpans.filter { $0.kind == .server }
        let writes = roots.filter {
            $0.attributes["url.path"]?.toSpanAttribute() == .string("/admin/orders/999999/status")
        }
        #expect(writes.count == 3, "one kept trace per write: \(roots.map(\.operationName))")
        #expect(roots.allSatisfy { $0.operationName.hasPrefix("/admin/orders/") }, "a read was kept")
    }
}
