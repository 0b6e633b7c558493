extension RedisAdminConnection {
    /// `INFO section` as a dictionary of its `name:value` lines.
    public func info(_ section: String) async throws(HitRateLabError) -> [String: String] {
        guard case .string(let text) = try await self.command(["INFO", section]) else {
            throw HitRateLabError(
                .redisError, "Redis at \(self.address) answered INFO \(section) with something other than text")
        }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    /// An integer field of `INFO section`, such as `used_memory` of `memory`.
    public func infoInteger(_ section: String, _ field: String) async throws(HitRateLabError) -> Int {
        guard let text = try await self.info(section)[field], let value = Int(text) else {
            throw HitRateLabError(
                .redisError, "Redis at \(self.address) reports no integer \(field) in INFO \(section)")
        }
        return value
    }

    /// `CONFIG GET name`'s value.
    public func configGet(_ name: String) async throws(HitRateLabError) -> String {
        guard case .array(let pair) = try await self.command(["CONFIG", "GET", name]), pair.count == 2 else {
            throw HitRateLabError(
                .redisError, "Redis at \(self.address) has no setting \(name) (CONFIG GET answered nothing)")
        }
        return pair[1]
    }

    /// `CONFIG SET name value`.
    public func configSet(_ name: String, _ value: String) async throws(HitRateLabError) {
        _ = try await self.command(["CONFIG", "SET", name, value])
    }

    /// Counts the keys matching `pattern` in the selected database with `SCAN` (at most `limit` round trips).
    public func countKeys(matching pattern: String, limit: Int = 1_000_000) async throws(HitRateLabError) -> Int {
        var cursor = "0"
        var count = 0
        for _ in 0..<limit {
            guard case .array(let reply) = try await self.command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]),
                let next = reply.first
            else {
                throw HitRateLabError(
                    .redisError, "Redis at \(self.address) answered SCAN with something other than an array")
            }
            count += reply.count - 1
            cursor = next
            if cursor == "0" { return count }
        }
        throw HitRateLabError(.redisError, "SCAN of \(pattern) on \(self.address) did not finish in \(limit) steps")
    }

    /// The number of keys in every database, from `INFO keyspace` (`db0:keys=12,expires=0,...`).
    public func keysInAllDatabases() async throws(HitRateLabError) -> [String: Int] {
        var keys: [String: Int] = [:]
        for (database, text) in try await self.info("keyspace") where database.hasPrefix("db") {
            for field in text.split(separator: ",") where field.hasPrefix("keys=") {
                keys[database] = Int(field.dropFirst("keys=".count)) ?? 0
            }
        }
        return keys
    }
}
