/// One problem with an import: `FILE:LINE: column COLUMN: what is wrong`.
public struct ImportDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based physical line; nil for a problem with the file as a whole.
    public var line: Int?
    public var column: String?
    public var message: String

    public init(file: String, line: Int?, column: String?, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let column { text += "column \(column): " }
        return text + message
    }
}

/// An import that changed nothing because its files have problems; every one is listed.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ImportDiagnostic]

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// What an import did.
public struct ImportReport: Sendable {
    public struct FileReport: Sendable {
        public var table: RegisterTable
        public var rows: Int
        public var encoding: String
    }

    public var files: [FileReport] = []
}
