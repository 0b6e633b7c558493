/// Stops the process with `message` when `condition` is false: a broken invariant, which libFuzzer reports as a crash
/// and keeps the input of. (`precondition` would lose its message in a release build.)
@inline(__always)
public func expect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
