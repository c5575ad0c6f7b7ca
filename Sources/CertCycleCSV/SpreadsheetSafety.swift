/// Formula-injection defence for CSV files that people open in a spreadsheet.
///
/// Excel, LibreOffice and WPS read a cell that starts with `=`, `+`, `-` or `@` as a formula,
/// and a leading tab or carriage return can hide such a start from a quick look; a register
/// value like `=HYPERLINK("http://…","点击")` or `+cmd|' /C calc'!A0` would then run when staff
/// open the file. Following OWASP's guidance (CSV Injection), such a cell gets a leading
/// apostrophe (`'`), so the spreadsheet shows it as text. A cell that is a plain decimal
/// number (`-3`, `2.5`, `+86`) is left as it is: a spreadsheet reads it as a number, never as a
/// formula, and negative day counts must stay numbers.
///
/// Only for files meant for people (`obligations.csv`, `scan`/`status --format csv`). The
/// register's own export must stay lossless and never goes through this.
public enum SpreadsheetSafety {
    /// The value as it may safely appear in a cell: unchanged, or with a leading `'`.
    public static func neutralized(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, ASCII.carriageReturn:
            return isPlainNumber(value) ? value : "'" + value
        default:
            return value
        }
    }

    /// `[+-]digits[.digits]`: what a spreadsheet reads as a number.
    static func isPlainNumber(_ value: String) -> Bool {
        var bytes = value.utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 2 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
    }
}

extension CSVWriter {
    /// `line(fields)` with every field passed through `SpreadsheetSafety.neutralized`: the one
    /// call for a record of a CSV file meant for people.
    public static func spreadsheetLine(_ fields: [String]) -> String {
        line(fields.map(SpreadsheetSafety.neutralized))
    }
}
