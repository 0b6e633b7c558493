import CacheLayer
import Hummingbird

/// The example's write endpoint: `PUT /admin/orders/:order/status?from=open&to=shipped` moves an order from one
/// status to another (`204`), or answers `409` when the order is not in status `from` (another write came first)
/// and `400` for a status it does not know. `from` is required: the invalidation rule builds a tag from it.
///
/// Its boundary rule (``rule``) invalidates, on a `2xx` only and before the response is returned, the cached
/// listing pages that can show the order: the unfiltered pages (`order-items:status:all`, which show its status),
/// and the pages filtered by its old and new status (it leaves one list and joins the other). Pages filtered by
/// other statuses stay cached.
public enum OrderStatusWrite {
    /// The route's path.
    public static let path = "/admin/orders/:order/status"

    /// The tag each cached listing page carries: its status filter, or `all` (see ``OrderItemsBoundary``).
    public static let listingTag = "order-items:status:{?status|all}"

    /// The invalidation rule of the write endpoint.
    public static let rule = CacheInvalidationRule(
        name: "order-status",
        path: Self.path,
        methods: ["PUT"],
        tags: ["order-items:status:all", "order-items:status:{?from}", "order-items:status:{?to}"]
    )

    /// The target that moves `order` from `from` to `to`.
    public static func target(order: Int, from: OrderStatus, to: OrderStatus) -> String {
        "/admin/orders/\(order)/status?from=\(from.rawValue)&to=\(to.rawValue)"
    }

    /// Adds the route to `router`.
    public static func register(on router: Router<BasicRequestContext>, database: OrderDatabase) {
        router.put(RouterPath(Self.path)) { request, context -> Response in
            let order = try context.parameters.require("order", as: Int.self)
            let query = request.uri.queryParameters
            guard let from = query["from"].flatMap({ OrderStatus(rawValue: String($0)) }),
                let to = query["to"].flatMap({ OrderStatus(rawValue: String($0)) })
            else {
                throw HTTPError(.badRequest, message: "from and to must be order statuses")
            }
            guard try await database.changeStatus(ofOrder: order, from: from, to: to) else {
                throw HTTPError(.conflict, message: "order \(order) is not \(from.rawValue)")
            }
            return Response(status: .noContent)
        }
    }
}
