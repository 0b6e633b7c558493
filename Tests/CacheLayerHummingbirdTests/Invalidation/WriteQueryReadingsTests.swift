import CacheLayerHTTP
import Testing

/// The readings a write's query gets for its invalidation when the strict reader refuses it: as sent, and as a form
/// decoder reads it.
@Suite("Write query readings")
struct WriteQueryReadingsTests {
    /// A strict reader that refuses every query with something in it.
    static func refusing(_ query: String?) -> [(name: String, value: String)]? {
        query?.isEmpty ?? true ? [] : nil
    }

    static func readings(_ query: String) -> [[String]] {
        WriteQueryReadings.readings(of: query, strict: Self.refusing).map { $0.map { "\($0.name)=\($0.value)" } }
    }

    @Test func whatTheStrictReaderReadsIsTheOnlyReading() {
        let readings = WriteQueryReadings.readings(of: "a=1") { _ in [(name: "a", value: "1")] }
        #expect(readings.map { $0.map(\.value) } == [["1"]])
    }

    @Test func aPlusIsKeptAsSentAndReadAsASpaceByAFormDecoder() {
        #expect(Self.readings("note=a+b") == [["note=a+b"], ["note=a b"]])
    }

    @Test func aBareFlagIsANameWithAnEmptyValue() {
        #expect(Self.readings("force") == [["force="]])
    }

    @Test func aBadEscapeIsKeptAsSent() {
        #expect(Self.readings("next=%zz&page=%32") == [["next=%zz", "page=2"]])
    }

    @Test func anEscapedNameIsDecodedOnlyByTheFormReading() {
        #expect(Self.readings("na%6De=x") == [["na%6De=x"], ["name=x"]])
    }

    @Test func theQueryIsSplitAtAmpersandBytesEvenBeforeACombiningMark() {
        #expect(Self.readings("a=1&\u{301}b=2").map(\.count) == [2])
    }
}
