import AsyncHTTPClient
import CacheLayer
import Foundation
import Logging
import NIOPosix
import OrderItems
import Testing

/// The example end to end on a small generated database: a real server on a loopback port, real HTTP requests,
/// the response cache's `X-Cache` header, and a clean shutdown. No Redis, no sleeps.
@Suite struct ServerSmokeTests {
    @Test func servesMissThenHitAndBypassesDeepPagesAndRareFilters() async throws {
        let directory = try TemporaryDirectory()
        let database = try await OrderDatabase.open(
            at: directory.url.appendingPathComponent("orders.sqlite"), scale: .small)
        defer { try? database.close() }
        let backend = try MemoryBackend(byteBudget: 8 << 20)
        let cache = try Cache(namespace: "responses", backend: backend)
        let boundaries = try OrderItemsBoundary.boundaries(highestCachedPage: 1)
        let logger = Logger(label: "smoke")

        let port = try await RunningServer.with(
            logger: logger,
            server: { reportPort in
                try OrderItemsApplication.make(
                    database: database, cache: cache, boundaries: boundaries, logger: logger,
                    onServerRunning: reportPort
                )
            }
        ) { port in
            let replayer = TrafficReplayer(port: port, concurrency: 1, timeLimit: .seconds(60))
            let first = await replayer.send(Visit(OrderItemsQuery()), keepingBody: true)
            let second = await replayer.send(Visit(OrderItemsQuery()), keepingBody: true)
            let deepPage = await replayer.send(Visit(OrderItemsQuery(page: 2)))
            let rareStatus = await replayer.send(Visit(OrderItemsQuery(status: .refunded)), keepingBody: true)
            let commonStatus = await replayer.send(Visit(OrderItemsQuery(status: .open, sort: .total)))

            for record in [first, second, deepPage, rareStatus, commonStatus] {
                #expect(record.status == 200, "\(record.visit.target): \(record.failure ?? "")")
            }
            #expect(first.cacheStatus == "MISS")
            #expect(second.cacheStatus == "HIT")
            #expect(second.age != nil)
            let hitBodyIsTheStoredBody = second.body == first.body
            #expect(hitBodyIsTheStoredBody)
            #expect(deepPage.cacheStatus == "BYPASS")
            #expect(rareStatus.cacheStatus == "BYPASS")
            #expect(commonStatus.cacheStatus == "MISS")

            let page = try JSONDecoder().decode(OrderItemsPage.self, from: Data(first.body))
            #expect(page.items.count == OrderItemsQuery.pageSize)
            #expect(page.totalItems > OrderItemsQuery.pageSize)
            let rare = try JSONDecoder().decode(OrderItemsPage.self, from: Data(rareStatus.body))
            #expect(rare.items.allSatisfy { $0.status == "refunded" })

            let badRequest = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)\(OrderItemsBoundary.path)?status=lost"),
                timeout: .seconds(30)
            )
            #expect(badRequest.status == .badRequest)
            #expect(backend.statistics.entries == 2)
            return port
        }

        // Stopped: nothing listens on the port any more.
        await #expect(throws: (any Error).self) {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: TrafficReplayer.host, port: port).get()
            try await channel.close()
        }
    }

    @Test func sameScaleGivesTheSameDatabase() async throws {
        let directory = try TemporaryDirectory()
        let scale = DatabaseScale(orders: 300)
        let first = try await OrderDatabase.open(at: directory.url.appendingPathComponent("a.sqlite"), scale: scale)
        let second = try await OrderDatabase.open(at: directory.url.appendingPathComponent("b.sqlite"), scale: scale)
        defer {
            try? first.close()
            try? second.close()
        }
        #expect(first.preparation.seeded && second.preparation.seeded)
        for query in [OrderItemsQuery(), OrderItemsQuery(page: 3, status: .shipped, sort: .customer)] {
            let a = try await first.orderItems(query)
            let b = try await second.orderItems(query)
            #expect(a.items == b.items)
            #expect(a.totalItems == b.totalItems)
        }
        let reopened = try await OrderDatabase.open(at: directory.url.appendingPathComponent("a.sqlite"), scale: scale)
        #expect(!reopened.preparation.seeded)
        try reopened.close()
        let rescaled = try await OrderDatabase.open(
            at: directory.url.appendingPathComponent("a.sqlite"), scale: DatabaseScale(orders: 400))
        #expect(rescaled.preparation.seeded)
        try rescaled.close()
    }

    @Test func visitMixIsReproducibleAndShapedAsDocumented() {
        let visits = VisitMix(seed: 7).visits(20_000)
        #expect(visits == VisitMix(seed: 7).visits(20_000))
        #expect(visits != VisitMix(seed: 8).visits(20_000))
        func share(_ included: (Visit) -> Bool) -> Double {
            Double(visits.filter(included).count) / Double(visits.count)
        }
        #expect(abs(share { $0.query.page == 1 } - 0.25) < 0.02)
        #expect(abs(share { (2...6).contains($0.query.page) } - 0.40) < 0.02)
        #expect(abs(share { $0.query.page > 20 } - 0.13) < 0.02)
        #expect(visits.allSatisfy { $0.query.page <= 100 })
    }
}

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        self.url = FileManager.default.temporaryDirectory.appendingPathComponent("order-items-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: self.url)
    }
}
