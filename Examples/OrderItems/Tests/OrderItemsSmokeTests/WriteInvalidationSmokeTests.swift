import AsyncHTTPClient
import CacheLayer
import Foundation
import Logging
import OrderItems
import Testing

/// The write endpoint and its invalidation rule, end to end: a write answered 204 makes the next read of the pages
/// that show the order a miss with the new status; a refused write (409) invalidates nothing; a replay with writes
/// mixed in reads nothing stale.
@Suite struct WriteInvalidationSmokeTests {
    @Test func aWriteInvalidatesThePagesThatShowItsOrderBeforeItAnswers() async throws {
        try await SmokeServer.run { port, _ in
            let replayer = TrafficReplayer(port: port, concurrency: 1, timeLimit: .seconds(60))
            let first = await replayer.send(Visit(OrderItemsQuery()), keepingBody: true)
            let item = try #require(
                try JSONDecoder().decode(OrderItemsPage.self, from: Data(first.body)).items.first)
            let from = try #require(OrderStatus(rawValue: item.status))
            let to = WriteReplay.next(after: from)
            let other = try #require(
                OrderItemsBoundary.commonFilters["status"]?.first { $0 != from.rawValue && $0 != to.rawValue })
            let otherStatus = Visit(OrderItemsQuery(status: OrderStatus(rawValue: other)))
            _ = await replayer.send(otherStatus)
            #expect(await replayer.send(Visit(OrderItemsQuery())).cacheStatus == "HIT")

            let refused = try await Self.put(port, OrderStatusWrite.target(order: item.orderID, from: to, to: from))
            #expect(refused == 409)
            #expect(await replayer.send(Visit(OrderItemsQuery())).cacheStatus == "HIT")

            let applied = try await Self.put(port, OrderStatusWrite.target(order: item.orderID, from: from, to: to))
            #expect(applied == 204)
            let after = await replayer.send(Visit(OrderItemsQuery()), keepingBody: true)
            #expect(after.cacheStatus == "MISS")
            let page = try JSONDecoder().decode(OrderItemsPage.self, from: Data(after.body))
            #expect(page.items.first { $0.orderID == item.orderID }?.status == to.rawValue)
            #expect(await replayer.send(otherStatus).cacheStatus == "HIT")
        }
    }

    @Test func aReplayWithWritesMixedInReadsNothingStale() async throws {
        let outcome = try await SmokeServer.run { port, database in
            let firstPage = try await database.orderItems(OrderItemsQuery())
            var orders: [Int: OrderStatus] = [:]
            for item in firstPage.items { orders[item.orderID] = OrderStatus(rawValue: item.status) }
            return try await WriteReplay(port: port, concurrency: 3, timeLimit: .seconds(60), writeEvery: 4)
                .replay(VisitMix(seed: 7).visits(80), orders: orders)
        }
        let check = StaleReadCheck(outcome)
        #expect(outcome.writes.count == 20)
        #expect(outcome.writes.filter(\.applied).count > 0)
        #expect(check.checkedReads >= outcome.writes.filter(\.applied).count)
        #expect(check.staleReads == 0, "\(check.firstStale ?? "")")
        let report = WriteReport(outcome: outcome, check: check, missRateWithoutWrites: nil, writeEvery: 4)
        #expect(report.lines.contains { $0.contains("stale reads    0 of") })
    }

    private static func put(_ port: Int, _ target: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = .PUT
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}
