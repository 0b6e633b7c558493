import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts detached OS threads for blocking I/O, outside Swift's cooperative pool.
enum IOThread {
    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, _ run: @escaping () -> Void) {
            self.name = String(name.utf8.prefix(15)) ?? "cachelayer"  // Linux limits thread names to 15 bytes
            self.run = run
        }
    }

    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(name: name, body)).toOpaque()
        // pthread_t is an integer on Linux and an optional pointer on Darwin, and the start routine's argument is
        // optional on Linux only.
        #if canImport(Darwin)
        var thread: pthread_t?
        let created = pthread_create(
            &thread, nil,
            { argument in
                IOThread.enter(argument)
                return nil
            }, box)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread!)
        #else
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { argument in
                IOThread.enter(argument!)
                return nil
            }, box)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
        #endif
    }

    private static func enter(_ argument: UnsafeMutableRawPointer) {
        let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
        cachelayer_set_thread_name(body.name)
        body.run()
    }
}
