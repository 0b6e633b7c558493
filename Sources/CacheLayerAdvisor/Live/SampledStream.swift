/// A request stream drawn from a sample's counts: each request independently, with the probability its count gives
/// it (the independent reference model), from a seeded generator so a replay is repeatable.
enum SampledStream {
    static func requests(_ entries: [LiveTraffic.Entry], count: Int, seed: UInt64) -> [EndpointRequest] {
        let requests = entries.map(\.request)
        var cumulative: [Int] = []
        var total = 0
        for entry in entries {
            total += entry.count
            cumulative.append(total)
        }
        guard total > 0, count > 0 else { return [] }
        var state = seed
        var stream: [EndpointRequest] = []
        stream.reserveCapacity(count)
        for _ in 0..<count {
            // SplitMix64.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let draw = Int(z % UInt64(total))
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] > draw { high = middle } else { low = middle + 1 }
            }
            stream.append(requests[low])
        }
        return stream
    }
}
