/// A cluster's redirection error reply: `MOVED <slot> <host>:<port>` (the slot lives elsewhere now; update the
/// map) or `ASK <slot> <host>:<port>` (the slot is being migrated; ask the target once, after `ASKING`).
struct ClusterRedirection: Equatable, Sendable {
    enum Kind: String, Sendable {
        case moved = "MOVED"
        case ask = "ASK"
    }

    let kind: Kind
    let slot: Int
    let target: ClusterNodeAddress

    /// Reads an error reply's message; `nil` when it is not a redirection. `fallbackHost` stands for an empty
    /// host (a node announcing no endpoint).
    init?(_ message: String, fallbackHost: String) {
        let parts = message.split(separator: " ")
        guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])), let slot = Int(parts[1]),
            (0..<HashSlot.count).contains(slot), let target = ClusterNodeAddress(parts[2], fallbackHost: fallbackHost)
        else { return nil }
        self.kind = kind
        self.slot = slot
        self.target = target
    }
}
