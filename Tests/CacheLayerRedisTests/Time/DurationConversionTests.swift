import Testing

@testable import CacheLayerRedis

/// Durations become the numbers hiredis and the deadlines take without ever trapping or becoming "no timeout".
@Suite("Duration conversions")
struct DurationConversionTests {
    @Test func timeoutConversionsNeverGiveZeroAndNeverTrap() {
        // Rounded up to the next microsecond: never the zero that means "no timeout".
        #expect(Duration.nanoseconds(1).timeval.tv_sec == 0 && Duration.nanoseconds(1).timeval.tv_usec == 1)
        #expect(Duration.nanoseconds(1_001).timeval.tv_usec == 2)
        #expect(
            Duration.milliseconds(1_500).timeval.tv_sec == 1 && Duration.milliseconds(1_500).timeval.tv_usec == 500_000)
        // Longer than `components` can express (it traps past Int64.max seconds): clamped, no trap.
        let huge = Duration.seconds(Int64.max) + .seconds(Int64.max)
        #expect(huge.nanoseconds == UInt64(Int64.max))
        #expect(Duration.seconds(Int64.max).nanoseconds == UInt64(Int64.max))
        #expect((Duration.zero - huge).nanoseconds == 0)
        #expect(huge.timeval.tv_sec > 0)
    }
}
