import CacheLayer

extension RedisKeyLayout {
    /// The set of the keys stored with `tag`: `keyPrefix + namespace + U+0001 + "tag:{" + name + "}"`, the name with
    /// `%`, `{` and `}` percent-encoded. Namespaces never contain control characters, so no cache key (`namespace:`)
    /// or lock (`namespace` U+0001 `lock:`) is ever one; the braces make the tag's name its hash tag, so a cluster
    /// spreads tags over its masters by name.
    func tagKey(_ tag: CacheTag) -> [UInt8] {
        self.tagKey(tag, kind: "tag:")
    }

    /// The set an invalidation of `tag` moves its members into until they are removed (same hash slot as
    /// ``tagKey(_:)``): what a failed invalidation leaves there, the next one removes.
    func invalidatingTagKey(_ tag: CacheTag) -> [UInt8] {
        self.tagKey(tag, kind: "tag-invalidating:")
    }

    private func tagKey(_ tag: CacheTag, kind: StaticString) -> [UInt8] {
        var bytes = self.keyPrefix
        bytes += tag.namespace.name.utf8
        bytes.append(0x01)
        bytes += UnsafeBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount)
        bytes.append(UInt8(ascii: "{"))
        for byte in tag.name.utf8 {
            switch byte {
            case UInt8(ascii: "%"): bytes += "%25".utf8
            case UInt8(ascii: "{"): bytes += "%7B".utf8
            case UInt8(ascii: "}"): bytes += "%7D".utf8
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
