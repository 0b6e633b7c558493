/// The error of a failed result, `nil` for a success (for `#expect(result.error?.code == ...)`).
extension Result {
    var error: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
