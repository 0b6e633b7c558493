/// The foldings of one name in a boundaries file: a list of `"trim_whitespace"`, `"ignore_case"`, `"integer_form"`
/// and `{"absent_as": "value"}`.
struct FileFolding: Decodable, Sendable {
    var foldings: Set<ParameterFolding>

    init(from decoder: any Decoder) throws {
        var list = try decoder.unkeyedContainer()
        self.foldings = []
        while !list.isAtEnd {
            if let name = try? list.decode(String.self) {
                switch name {
                case "trim_whitespace": self.foldings.insert(.trimWhitespace)
                case "ignore_case": self.foldings.insert(.ignoreCase)
                case "integer_form": self.foldings.insert(.integerForm)
                default:
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: list.codingPath,
                            debugDescription:
                                "expected \"trim_whitespace\", \"ignore_case\", \"integer_form\" or {\"absent_as\": ...}, got \"\(name)\""
                        ))
                }
            } else {
                let entry = try list.nestedContainer(keyedBy: FieldName.self)
                try entry.rejectUnknownFields(["absent_as"])
                self.foldings.insert(.absentAs(try entry.decode(String.self, forKey: "absent_as")))
            }
        }
    }
}
