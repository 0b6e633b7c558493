import Synchronization

/// Whether a read-through's loader ran, set from the loader's task and read after the read-through returns.
final class LoaderRanFlag: Sendable {
    private let ran = Atomic<Bool>(false)

    func set() { self.ran.store(true, ordering: .relaxed) }

    var isSet: Bool { self.ran.load(ordering: .relaxed) }
}
