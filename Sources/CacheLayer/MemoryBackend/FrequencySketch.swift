/// How often keys were requested, approximately and with a fading memory: the frequency filter of W-TinyLFU
/// (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", 2017), as a count-min sketch
/// of 4-bit counters.
///
/// One table of counters, 16 to a 64-bit word; a key's four counters are chosen by remixing its hash with four
/// constants. ``estimate(_:)`` is the least of them. ``add(_:)`` raises only those equal to that least (a
/// conservative update, so that keys sharing a counter inflate each other less), and every ``halvingPeriod``
/// additions every counter is halved, so that what was popular long ago fades.
///
/// The table holds ``countersPerEntry`` counters per entry of the shard (rounded up to a power of two, 16 to 32 bytes
/// per entry), and the period is ``halvingPeriodPerEntry`` additions per entry. Both were chosen by measurement
/// (Benchmarks/README.md, the eviction results of 2026-12-03): a sketch as small as Caffeine's (one counter per
/// entry, halved every 10 additions per entry) forgets too soon for the tier's byte-sized budgets, and gave a lower
/// hit rate than S3-FIFO on the Zipf trace.
///
/// It is sized by ``raiseCapacity(toEntries:)`` as the shard grows, which starts it anew (the counters of a smaller
/// table cannot be spread over a larger one); that happens only while the shard fills for the first time, as its
/// peak entry count doubles. Nothing else allocates.
struct FrequencySketch: Sendable {
    /// Counters per entry of the shard.
    static let countersPerEntry = 32
    /// Additions per entry of the shard between two halvings.
    static let halvingPeriodPerEntry = 300
    static let counterMaximum: UInt64 = 15

    /// The counters, 16 to a word.
    private var words: [UInt64] = [0]
    /// The number of counters less one (a power of two less one).
    private var mask = 15
    private var additions = 0
    private(set) var halvingPeriod = 16 * FrequencySketch.halvingPeriodPerEntry

    /// The number of counters.
    var counterCount: Int { self.mask + 1 }

    /// Grows the table to hold ``countersPerEntry`` counters for each of `entries`, starting it anew, when it is
    /// smaller than that; the halving period becomes ``halvingPeriodPerEntry`` additions per entry.
    mutating func raiseCapacity(toEntries entries: Int) {
        var counters = 16
        while counters < entries * Self.countersPerEntry { counters *= 2 }
        guard counters > self.counterCount else { return }
        self.words = Array(repeating: 0, count: counters / 16)
        self.mask = counters - 1
        self.halvingPeriod = max(entries, 1) * Self.halvingPeriodPerEntry
        self.additions = 0
    }

    /// The estimated count for a key's `hash`: the least of its four counters.
    func estimate(_ hash: Int) -> Int {
        var least = Self.counterMaximum
        for probe in 0..<4 {
            least = min(least, self.counter(self.index(hash, probe)))
        }
        return Int(least)
    }

    /// Counts one request for a key's `hash`.
    mutating func add(_ hash: Int) {
        // Each index once: the hash is remixed four times, not eight.
        let indices = (self.index(hash, 0), self.index(hash, 1), self.index(hash, 2), self.index(hash, 3))
        let least = min(
            min(self.counter(indices.0), self.counter(indices.1)), min(self.counter(indices.2), self.counter(indices.3))
        )
        if least < Self.counterMaximum {
            // A counter two probes share is raised once: the second finds it above `least`.
            self.raise(indices.0, ifAt: least)
            self.raise(indices.1, ifAt: least)
            self.raise(indices.2, ifAt: least)
            self.raise(indices.3, ifAt: least)
        }
        self.additions += 1
        if self.additions >= self.halvingPeriod {
            for word in self.words.indices {
                self.words[word] = (self.words[word] >> 1) & 0x7777_7777_7777_7777
            }
            self.additions /= 2
        }
    }

    /// Raises the counter at `index` by one if it is at `least`.
    private mutating func raise(_ index: Int, ifAt least: UInt64) {
        if self.counter(index) == least {
            self.words[index >> 4] &+= 1 << UInt64((index & 15) * 4)
        }
    }

    /// The counter at `index`.
    func counter(_ index: Int) -> UInt64 {
        (self.words[index >> 4] >> UInt64((index & 15) * 4)) & 0xF
    }

    /// The `probe`th counter (0 to 3) of a key's `hash`.
    func index(_ hash: Int, _ probe: Int) -> Int {
        Self.index(hash, probe, mask: self.mask)
    }

    /// The `probe`th counter (0 to 3) of a key's `hash` in a table of `mask + 1` counters: the hash plus a multiple of
    /// the golden ratio, through splitmix64's finaliser, so that the four are independent of each other and of the
    /// index's use of the hash.
    static func index(_ hash: Int, _ probe: Int, mask: Int) -> Int {
        var mixed = UInt64(bitPattern: Int64(hash)) &+ UInt64(probe + 1) &* 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        return Int(truncatingIfNeeded: mixed) & mask
    }
}
