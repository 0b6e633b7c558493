import CacheLayer
import CacheLayerHummingbird
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The example server: `GET /admin/order-items?page=&status=&sort=` as JSON, behind Hummingbird's tracing
/// middleware and CacheLayer's response cache, `PUT /admin/orders/:order/status` (``OrderStatusWrite``), and
/// `GET /health`.
public enum OrderItemsApplication {
    /// The Hummingbird application type the example builds.
    public typealias App = Application<RouterResponder<BasicRequestContext>>

    /// Builds the application on `host:port` (port 0: any free port, reported to `onServerRunning`); `fault`, when
    /// given, can make the database fail or stall (the fault scenario).
    /// - Throws: what ``CacheLayerHummingbird/ResponseCacheMiddleware`` refuses in its configuration.
    public static func make(
        database: OrderDatabase,
        cache: Cache,
        boundaries: CacheBoundaries,
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        fault: DatabaseFault? = nil
    ) throws -> App {
        let router = Router(context: BasicRequestContext.self)
        // Tracing first, so the cache's spans nest under the request's span.
        router.add(middleware: TracingMiddleware())
        router.add(middleware: try ResponseCacheMiddleware(cache: cache, boundaries: boundaries))
        router.get(RouterPath(OrderItemsBoundary.path)) { request, context -> Response in
            let parameters = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            let query: OrderItemsQuery
            do throws(OrderItemsQueryError) {
                query = try OrderItemsQuery(parameters: parameters)
            } catch {
                throw HTTPError(.badRequest, message: error.description)
            }
            try await fault?.beforeQuery()
            let page = try await database.orderItems(query)
            return try Self.encoder.encode(page, from: request, context: context)
        }
        OrderStatusWrite.register(on: router, database: database)
        router.get("/health") { _, _ in "ok" }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "order-items"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}

extension OrderItemsApplication {
    /// JSON with sorted keys: the same page always encodes to the same bytes.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
