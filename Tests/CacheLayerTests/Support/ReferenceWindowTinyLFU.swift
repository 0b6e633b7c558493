@testable import CacheLayer

/// The obviously correct model of the memory backend's W-TinyLFU eviction that it is checked against: two arrays in
/// queue order, and a frequency sketch that is a plain array of counters.
///
/// A new key is counted once in the sketch, then room is made, then it goes to the front of the window; a key
/// already held has its reads fed to the sketch, leaves its queue while room is made, and comes back to the front of
/// the same one. Either way its counter starts at 0, and each read hit raises it, up to 3. "Feeding" an entry adds
/// its counter less the counter it had when last fed (`seen`) to the sketch, one addition at a time, and sets
/// `seen` to the counter. To make room, entries are taken from the back of the main queue when it holds more than
/// 99% of the budget or the window is empty: an expired one is removed (an expiration), one with a counter above 0
/// is fed and goes back to the front with its counter (and `seen`) lowered by one, any other is evicted. Otherwise
/// from the back of the window (the candidate): an expired one is removed; the candidate is fed; it moves to the
/// front of the main queue (counter and `seen` at 0) if the main queue's bytes plus its cost are within 99% of the
/// budget; otherwise the main queue's back entries are fed and sent round as above until one has a counter of 0 (the
/// victim). With no victim, the candidate is evicted; an expired victim is removed; a victim whose estimate is lower
/// than the candidate's is evicted and the candidate moves to the main queue; otherwise the candidate is evicted.
///
/// The sketch: `counters` 4-bit counters, the least power of two at least 16 and at least 32 per entry of the most
/// entries held at once, started anew (all 0) whenever it grows, with a halving period of 300 additions per entry of
/// that most. A key's four counters are at `FrequencySketch.index(hash, 0...3, mask:)` (the hash function is the one thing
/// shared with the implementation); its estimate is the least of them; an addition raises each of the four that
/// equals that least (once, if two are the same counter), unless the least is 15, and every `period`th addition
/// halves every counter and halves the count of additions.
struct ReferenceWindowTinyLFU: TwoQueueReferenceModel {
    struct Sketch {
        var counters = [Int](repeating: 0, count: 16)
        var period = 16 * 300
        var additions = 0

        private func indices(_ hash: Int) -> [Int] {
            (0..<4).map { FrequencySketch.index(hash, $0, mask: self.counters.count - 1) }
        }

        func estimate(_ hash: Int) -> Int {
            self.indices(hash).map { self.counters[$0] }.min()!
        }

        mutating func add(_ hash: Int) {
            let least = self.estimate(hash)
            if least < 15 {
                for index in Set(self.indices(hash)) where self.counters[index] == least {
                    self.counters[index] += 1
                }
            }
            self.additions += 1
            if self.additions >= self.period {
                self.counters = self.counters.map { $0 / 2 }
                self.additions /= 2
            }
        }

        mutating func grow(toEntries entries: Int) {
            var size = 16
            while size < entries * 32 { size *= 2 }
            guard size > self.counters.count else { return }
            self.counters = [Int](repeating: 0, count: size)
            self.period = entries * 300
            self.additions = 0
        }
    }

    let byteBudget: Int
    let entryLimit: Int
    /// The window is the small queue.
    var queues = ReferenceQueues()
    private(set) var sketch = Sketch()
    private var mostEntries = 0

    var window: [ReferenceQueues.Entry] { self.queues.small }
    var main: [ReferenceQueues.Entry] { self.queues.main }
    private var mainShare: Int { self.byteBudget - self.byteBudget / 100 }

    init(byteBudget: Int, entryLimit: Int) {
        self.byteBudget = byteBudget
        self.entryLimit = entryLimit
    }

    private mutating func feed(_ entry: inout ReferenceQueues.Entry) {
        while entry.seen < entry.count {
            self.sketch.add(ReferenceQueues.hash(entry.key))
            entry.seen += 1
        }
        entry.seen = entry.count
    }

    /// Sends the main queue's back entries with a counter above 0 round (fed, counter lowered) until the back one
    /// has none or is expired.
    private mutating func runTheHand(now: UInt64) {
        while var back = self.queues.main.last, back.count > 0, !back.isExpired(now: now) {
            self.queues.main.removeLast()
            self.feed(&back)
            back.count -= 1
            back.seen = back.count
            self.queues.main.insert(back, at: 0)
        }
    }

    private mutating func makeRoom(for cost: Int, now: UInt64) {
        while self.queues.bytes + cost > self.byteBudget || self.queues.entries.count + 1 > self.entryLimit {
            let mainBytes = self.queues.mainBytes
            if mainBytes > self.mainShare || self.queues.small.isEmpty {
                self.runTheHand(now: now)
                let victim = self.queues.main.removeLast()
                if victim.isExpired(now: now) {
                    self.queues.expirations += 1
                } else {
                    self.queues.evictions += 1
                }
                continue
            }
            var candidate = self.queues.small.removeLast()
            if candidate.isExpired(now: now) {
                self.queues.expirations += 1
                continue
            }
            self.feed(&candidate)
            if mainBytes + candidate.cost <= self.mainShare {
                candidate.count = 0
                candidate.seen = 0
                self.queues.main.insert(candidate, at: 0)
                continue
            }
            self.runTheHand(now: now)
            guard let victim = self.queues.main.last else {
                self.queues.evictions += 1
                continue
            }
            if victim.isExpired(now: now) {
                self.queues.main.removeLast()
                self.queues.expirations += 1
                self.queues.small.append(candidate)  // still the candidate
            } else if self.sketch.estimate(ReferenceQueues.hash(candidate.key))
                > self.sketch.estimate(ReferenceQueues.hash(victim.key))
            {
                self.queues.main.removeLast()
                self.queues.evictions += 1
                candidate.count = 0
                candidate.seen = 0
                self.queues.main.insert(candidate, at: 0)
            } else {
                self.queues.evictions += 1
            }
        }
    }

    /// Returns false (and changes nothing) when the entry alone exceeds the budget.
    mutating func set(_ key: CacheKey, _ value: [UInt8], ttlNanoseconds: UInt64?, now: UInt64) -> Bool {
        let cost = ReferenceQueues.cost(key, value)
        guard cost <= self.byteBudget else { return false }
        let heldInMain: Bool? = self.queues.position(of: key).map { position in
            var held = self.queues.take(position)
            self.feed(&held)
            return position.inMain
        }
        if heldInMain == nil {
            self.sketch.add(ReferenceQueues.hash(key))
        }
        self.makeRoom(for: cost, now: now)
        let entry = ReferenceQueues.Entry(
            key: key, value: value, expiresAt: ttlNanoseconds.map { now + max($0, 1) }, cost: cost)
        if heldInMain == true {
            self.queues.main.insert(entry, at: 0)
        } else {
            self.queues.small.insert(entry, at: 0)
        }
        if self.queues.entries.count > self.mostEntries {
            self.mostEntries = self.queues.entries.count
            self.sketch.grow(toEntries: self.mostEntries)
        }
        return true
    }
}
