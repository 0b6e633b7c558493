import CHiredis

#if canImport(Glibc)
import Glibc
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
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            let body = Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue()
            cachelayer_set_thread_name(body.name)
            body.run()
            return nil
        }, box)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }
}
