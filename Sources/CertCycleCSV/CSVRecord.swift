/// One CSV record: its fields, and the physical line on which it starts.
public struct CSVRecord: Sendable, Equatable {
    /// The 1-based physical line where this record starts (the header is line 1).
    ///
    /// A quoted field with line breaks inside makes a record span several lines;
    /// the next record's `line` counts them.
    public var line: Int

    /// The fields, unquoted: `"a ""b"""` reads as `a "b"`.
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}
