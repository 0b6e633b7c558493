import Dispatch
import Foundation
import Testing

@testable import CacheLayerRedis

/// The gate's arming against connections lost meanwhile, with the interleaving forced: no Redis needed.
@Suite("Coherence gate")
struct CoherenceGateTests {
    final class Listener: Sendable {}

    /// A gate whose memory clearing blocks until released, and a thread running `armed(_:)` into it.
    struct HeldClear {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let gate: CoherenceGate

        init() {
            let (entered, release) = (self.entered, self.release)
            self.gate = CoherenceGate(clearMemory: {
                entered.signal()
                release.wait()
            })
        }

        /// Starts `armed(listener)` on a thread of its own and returns once it is clearing memory.
        func arm(_ listener: Listener) {
            let (gate, done) = (self.gate, self.done)
            Thread {
                gate.armed(listener, at: 0); done.signal()
            }.start()
            self.entered.wait()
        }

        func finish() {
            self.release.signal()
            self.done.wait()
        }
    }

    @Test func aConnectionLostWhileAnotherArmsKeepsMemoryOff() {
        let held = HeldClear()
        let (a, b) = (Listener(), Listener())
        held.gate.add(a)
        held.gate.add(b)
        held.gate.armed(b, at: 0)
        held.arm(a)
        held.gate.disarmed(b)
        held.finish()
        #expect(!held.gate.isServing, "serving while b's invalidations are lost")
    }

    @Test func aConnectionAddedWhileAnotherArmsKeepsMemoryOff() {
        let held = HeldClear()
        let a = Listener()
        held.gate.add(a)
        held.arm(a)
        let added = Listener()
        held.gate.add(added)
        held.finish()
        #expect(!held.gate.isServing, "serving before the new connection is armed")
    }

    @Test func aStopWhileArmingKeepsMemoryOff() {
        let held = HeldClear()
        let a = Listener()
        held.gate.add(a)
        held.arm(a)
        held.gate.stop()
        held.finish()
        #expect(!held.gate.isServing)
    }

    @Test func armingWithNothingInBetweenServes() {
        let held = HeldClear()
        let a = Listener()
        held.gate.add(a)
        held.arm(a)
        held.finish()
        #expect(held.gate.isServing)
    }
}
