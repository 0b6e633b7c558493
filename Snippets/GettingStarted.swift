// A cache over the in-memory backend: typed reads and writes, read-through, configuration and errors.
//
// Run it with `swift run GettingStarted`.

// snippet.hide
import CacheLayer
import Logging

struct Product: Codable, Sendable {
    var id: Int
    var name: String
}

/// Stands in for a database query.
func loadProduct(_ id: Int) async throws -> Product {
    Product(id: id, name: "Widget \(id)")
}

func gettingStarted() async throws {
    // snippet.show
    // snippet.create
    let cache = try Cache(namespace: "products", backend: MemoryBackend(byteBudget: 64 << 20))
    // snippet.end

    // snippet.put-get
    try await cache.put("product:7", value: Product(id: 7, name: "Desk"), ttl: .seconds(30))
    let desk = try await cache.get("product:7", as: Product.self)  // nil on a miss
    // snippet.end

    // snippet.get-or-load
    let product = try await cache.getOrLoad(key: "product:42", ttl: .seconds(60)) {
        try await loadProduct(42)  // runs only on a miss; the result is stored for 60 s
    }
    // snippet.end

    // snippet.bytes
    try await cache.putBytes("banner", Array("<h1>Sale</h1>".utf8), ttl: .seconds(10))
    let pages = try await cache.getBytes(["banner", "footer"])  // [bytes, nil]: one batch read
    let removed = try await cache.remove("banner")  // true: a value was there
    try await cache.removeAll()  // every key of "products", and nothing else on the backend
    // snippet.end
    // snippet.hide
    print("desk: \(desk?.name ?? "miss"), product 42: \(product.name)")
    print("batch: \(pages.map { $0 != nil }), removed: \(removed)")
}

func configuredCaches() async throws {
    // snippet.show
    // snippet.configuration
    let memory = try MemoryBackend(byteBudget: 256 << 20)
    var configuration = Cache.Configuration()
    configuration.logger = Logger(label: "cache.sessions")  // debug lines per operation, warnings on failures
    // Keys name users: spans and logs record only the namespace.
    configuration.keyCapture = .redacted { key in String(key.prefix { $0 != ":" }) }
    configuration.failOpen = false  // backend failures throw instead of becoming misses
    let sessions = try Cache(namespace: "sessions", backend: memory, configuration: configuration)
    let pages = try Cache(namespace: "pages", backend: memory)  // same store, separate keys
    // snippet.end
    // snippet.hide
    try await sessions.put("user:1", value: "token", ttl: .seconds(5))
    print("pages sees sessions' key: \(try await pages.getBytes("user:1") != nil)")
    let cache = pages
    // snippet.show

    // snippet.errors
    do {
        try await cache.put("", value: "nothing", ttl: .seconds(60))
    } catch {
        print(error.code, error.message)  // invalid_key, the key is empty
    }
    do throws(CacheError) {
        _ = try Cache(namespace: "bad:namespace", backend: memory)
    } catch {
        print(error.code, error.message)  // invalid_namespace, naming the character at fault
    }
    // snippet.end
    // snippet.hide
}

try await gettingStarted()
try await configuredCaches()
