import CacheLayer

/// Which master serves which slots, as `CLUSTER SLOTS` reports it.
struct ClusterSlots: Sendable {
    /// Slot ranges and the master that serves each.
    let ranges: [(slots: ClosedRange<Int>, master: ClusterNodeAddress)]

    /// Parses a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, ...], replica...], ...]`. `queried` is the
    /// node that answered (a master reported with an empty host is on the same host).
    init(parsing reply: RedisReply, from queried: ClusterNodeAddress) throws(CacheError) {
        guard case .array(let entries) = reply else { throw reply.unexpected("CLUSTER SLOTS") }
        var ranges: [(slots: ClosedRange<Int>, master: ClusterNodeAddress)] = []
        for entry in entries {
            guard case .array(let fields) = entry, fields.count >= 3,
                case .integer(let start) = fields[0], case .integer(let end) = fields[1],
                0 <= start, start <= end, end < HashSlot.count,
                case .array(let master) = fields[2], master.count >= 2,
                case .bulk(let host) = master[0], case .integer(let port) = master[1], (1...65_535).contains(port)
            else { throw reply.unexpected("CLUSTER SLOTS") }
            guard !host.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { throw reply.unexpected("CLUSTER SLOTS") }
            let hostText = String(decoding: host, as: UTF8.self)
            let address = ClusterNodeAddress(
                host: hostText.isEmpty || hostText == "?" ? queried.host : hostText, port: Int(port))
            ranges.append((Int(start)...Int(end), address))
        }
        self.ranges = ranges
    }

    /// The masters, each once.
    var masters: [ClusterNodeAddress] {
        var seen = Set<ClusterNodeAddress>()
        return self.ranges.map(\.master).filter { seen.insert($0).inserted }
    }
}
