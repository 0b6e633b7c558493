import Testing

@testable import CacheLayerRedis

/// Error replies lose what Redis quotes (the arguments it echoes), and keep the rest.
@Suite("Redis error messages")
struct RedisErrorMessageTests {
    @Test func quotedArgumentsAreCutNotApostrophes() {
        #expect(
            RedisReply.withoutQuotedArguments("ERR unknown command 'GET', with args beginning with: 'k' ")
                == "ERR unknown command [quoted arguments omitted]")
        #expect(
            RedisReply.withoutQuotedArguments("CROSSSLOT Keys in request don't hash to the same slot")
                == "CROSSSLOT Keys in request don't hash to the same slot")
        #expect(
            RedisReply.withoutQuotedArguments("WRONGTYPE Operation against a key holding the wrong kind of value")
                == "WRONGTYPE Operation against a key holding the wrong kind of value")
    }

    @Test func unexpectedRepliesNameTheirKindNotTheirContents() {
        let error = RedisReply.array([.bulk(Array("a-value".utf8)), .status("key-text")]).unexpected("MGET")
        #expect(error.message == "unexpected reply to MGET: an array of 2 elements")
    }
}
