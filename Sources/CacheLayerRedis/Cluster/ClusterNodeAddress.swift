/// A node of the cluster, as the cluster names it (`host:port`).
struct ClusterNodeAddress: Hashable, Sendable, CustomStringConvertible {
    let host: String
    let port: Int

    var description: String { "\(self.host):\(self.port)" }

    /// Reads `host:port` (the host may be an IPv6 address, so the port follows the last colon). An empty or `?`
    /// host means "the node you asked" (`fallbackHost`).
    init?(_ text: Substring, fallbackHost: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65_535).contains(port)
        else { return nil }
        let host = text[..<colon]
        // A host from a server's reply reaches C as a C string: one holding a NUL (or a space or control
        // character) would be cut or misread there.
        guard !host.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        self.host = host.isEmpty || host == "?" ? fallbackHost : String(host)
        self.port = port
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
