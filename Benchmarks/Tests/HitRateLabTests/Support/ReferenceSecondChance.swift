/// The memory tier's eviction (second chance, an approximation of LRU) for unit-size entries and an object count,
/// the obvious way: keys in list order, every request a linear scan.
struct ReferenceSecondChance {
    let capacity: Int
    /// Front (most recently inserted or second-chanced) first, with each key's referenced mark.
    private var list: [(key: Int32, referenced: Bool)] = []
    private(set) var hits = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A read-through request: a hit marks the key; a miss makes room (taking keys from the back: a marked one is
    /// unmarked and moved to the front, an unmarked one is dropped), then inserts the key at the front, unmarked.
    mutating func request(_ key: Int32) {
        if let position = self.list.firstIndex(where: { $0.key == key }) {
            self.hits += 1
            self.list[position].referenced = true
            return
        }
        while self.list.count >= self.capacity {
            let victim = self.list.removeLast()
            if victim.referenced {
                self.list.insert((victim.key, false), at: 0)
            }
        }
        self.list.insert((key, false), at: 0)
    }

    static func hits(_ keys: [Int32], capacity: Int) -> Int {
        var model = ReferenceSecondChance(capacity: capacity)
        for key in keys where key >= 0 { model.request(key) }
        return model.hits
    }
}
