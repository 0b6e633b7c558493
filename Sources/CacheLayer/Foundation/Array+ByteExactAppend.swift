extension [String] {
    /// Appends `text` unless an element has exactly its bytes. `contains` would compare by canonical equivalence
    /// and drop a different spelling of the same text (`café` precomposed and decomposed): as a tag or a key, that
    /// spelling is another one, and must not be lost.
    package mutating func appendUnlessHeld(_ text: String) {
        if !self.contains(where: { $0.utf8.elementsEqual(text.utf8) }) {
            self.append(text)
        }
    }
}
