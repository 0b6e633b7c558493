/// The obvious LRU, to check the real one against: an array ordered from least to most recently used, searched
/// linearly. Slow, and too simple to be wrong.
struct ReferenceLRU {
    let capacity: Int
    private var order: [Int32] = []
    private(set) var hits = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A read-through request: a hit moves the key to the most recent end; a miss inserts it there, dropping the
    /// least recent key when full.
    mutating func request(_ key: Int32) {
        if let position = self.order.firstIndex(of: key) {
            self.hits += 1
            self.order.remove(at: position)
        } else if self.order.count == self.capacity {
            self.order.removeFirst()
        }
        self.order.append(key)
    }

    static func hits(_ keys: [Int32], capacity: Int) -> Int {
        var model = ReferenceLRU(capacity: capacity)
        for key in keys where key >= 0 { model.request(key) }
        return model.hits
    }
}
