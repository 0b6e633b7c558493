import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small number per thread, handed out in order on first use, which picks the thread's ``ReadStripe`` in each
/// memory shard: the first ``MemoryShard/stripeCount`` threads that read get stripes of their own.
enum ReaderNumber {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()
    private static let next = Atomic<Int>(0)

    /// This thread's number.
    static var current: Int {
        if let stored = pthread_getspecific(Self.key) {
            return Int(bitPattern: stored) - 1
        }
        let number = Self.next.wrappingAdd(1, ordering: .relaxed).oldValue
        pthread_setspecific(Self.key, UnsafeRawPointer(bitPattern: number + 1))
        return number
    }
}
