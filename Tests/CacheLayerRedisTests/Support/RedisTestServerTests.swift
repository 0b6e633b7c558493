import Testing

/// Checks the test harness itself: the test command must have started a real redis-server and told the tests
/// where it is. Under CI this fails, never skips, when the server is missing.
@Suite("Redis test server", .enabled(if: RedisTestServer.shouldRun, "set CACHELAYER_REDIS_URL or run scripts/test.sh"))
struct RedisTestServerTests {
    @Test func theTestCommandsRedisServerAnswers() throws {
        #expect(try RedisTestServer.rawCommand("PING") == "+PONG\r\n")
        let info = try RedisTestServer.rawCommand("INFO server")
        #expect(info.contains("redis_version:"))
    }
}
