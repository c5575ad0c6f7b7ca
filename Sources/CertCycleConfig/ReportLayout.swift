public import CertCycleCore
import Foundation
import TOMLKit

/// `Jobs/reports/monthly.toml`: the monthly report's sheets and columns, so that a body can
/// follow a changed official template by editing a file (RULES §10). Each sheet names its
/// columns in order: a field of the sheet (`ReportSheet.fields`) and the header title.
public struct ReportLayout: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        public var field: String
        public var title: String

        public init(field: String, title: String) {
            self.field = field
            self.title = title
        }
    }

    public struct Sheet: Sendable, Hashable {
        public var id: ReportSheet
        public var name: String
        public var columns: [Column]

        public init(id: ReportSheet, name: String, columns: [Column]) {
            self.id = id
            self.name = name
            self.columns = columns
        }
    }

    /// The workbook's file name without extension; `{month}` becomes `2026-11`.
    public var fileName: String
    /// In the file's order; every `ReportSheet` exactly once.
    public var sheets: [Sheet]

    public init(fileName: String, sheets: [Sheet]) {
        self.fileName = fileName
        self.sheets = sheets
    }

    public static func path(jobs directory: String) -> String { directory + "/reports/monthly.toml" }

    /// The workbook's file name for `month`, without extension.
    public func fileName(for month: ReportMonth) -> String {
        fileName.replacingOccurrences(of: "{month}", with: month.description)
    }

    public static func load(jobs directory: String) throws(ConfigError) -> ReportLayout {
        let path = path(jobs: directory)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, "the monthly report's layout is missing (the shipped Jobs/ folder has one to copy)")
        }
        let file = try TOMLFile(path: path)
        try file.rejectUnknownKeys(["file", "sheet"])
        let fileName = try file.string("file") ?? "CNCA-monthly-{month}"
        try checkFileName(fileName, file: path)
        guard let entries = file.table["sheet"]?.array else {
            throw ConfigError(file: path, "needs its four [[sheet]] tables (\(ReportSheet.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var sheets: [Sheet] = []
        for (index, entry) in entries.enumerated() {
            let context = "sheet \(index + 1)"
            guard let table = entry.table else { throw ConfigError(file: path, "\(context): each [[sheet]] must be a table") }
            try file.rejectUnknownKeys(["id", "name", "columns"], in: table, context: "sheet.")
            guard let idText = try file.string("id", in: table), let id = ReportSheet(rawValue: idText) else {
                throw ConfigError(file: path, "\(context): 'id' must be one of \(ReportSheet.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if sheets.contains(where: { $0.id == id }) { throw ConfigError(file: path, "\(context): sheet '\(id.rawValue)' appears twice") }
            guard let name = try file.string("name", in: table) else { throw ConfigError(file: path, "sheet '\(id.rawValue)': 'name' is missing") }
            try checkSheetName(name, sheet: id, file: path)
            if sheets.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                throw ConfigError(file: path, "sheet '\(id.rawValue)': the name '\(name)' is used by another sheet")
            }
            guard let array = table["columns"]?.array, !array.isEmpty else {
                throw ConfigError(file: path, "sheet '\(id.rawValue)': 'columns' must list at least one { field = …, title = … }")
            }
            var columns: [Column] = []
            for (c, element) in array.enumerated() {
                guard let column = element.table else {
                    throw ConfigError(file: path, "sheet '\(id.rawValue)', column \(c + 1): must be { field = \"…\", title = \"…\" }")
                }
                try file.rejectUnknownKeys(["field", "title"], in: column, context: "sheet.columns.")
                guard let field = try file.string("field", in: column), id.fields.contains(field) else {
                    throw ConfigError(file: path, "sheet '\(id.rawValue)', column \(c + 1): 'field' must be one of \(id.fields.joined(separator: ", "))")
                }
                guard let title = try file.string("title", in: column), !title.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ConfigError(file: path, "sheet '\(id.rawValue)', column \(c + 1) (\(field)): 'title' must be a header text")
                }
                guard !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw ConfigError(file: path, "sheet '\(id.rawValue)', column \(c + 1) (\(field)): 'title' must not hold control characters")
                }
                columns.append(Column(field: field, title: title))
            }
            sheets.append(Sheet(id: id, name: name, columns: columns))
        }
        let missing = ReportSheet.allCases.filter { id in !sheets.contains { $0.id == id } }
        guard missing.isEmpty else {
            throw ConfigError(file: path, "sheet '\(missing[0].rawValue)' is missing: the report has four sheets (\(ReportSheet.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return ReportLayout(fileName: fileName, sheets: sheets)
    }

    /// Excel's rules for a sheet name: 1–31 characters, none of `[]:*?/\`, not starting or
    /// ending with an apostrophe, no control characters.
    static func checkSheetName(_ name: String, sheet: ReportSheet, file: String) throws(ConfigError) {
        let bad = name.unicodeScalars.contains { "[]:*?/\\".unicodeScalars.contains($0) || $0.properties.generalCategory == .control }
        guard !name.isEmpty, name.count <= 31, !bad, !name.hasPrefix("'"), !name.hasSuffix("'") else {
            throw ConfigError(file: file, "sheet '\(sheet.rawValue)': the name '\(name)' cannot be a sheet name (1–31 characters, none of [ ] : * ? / \\, no apostrophe at either end)")
        }
    }

    /// A file name, not a path: no `/`, no control characters, not `.` or `..`.
    static func checkFileName(_ name: String, file: String) throws(ConfigError) {
        let bad = name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.properties.generalCategory == .control }
        guard !name.isEmpty, name.utf8.count <= 200, !bad, name != ".", name != "..", !name.hasPrefix(".") else {
            throw ConfigError(file: file, "'file' must be a plain file name (no / or \\, no control characters, not starting with a dot)")
        }
    }
}
