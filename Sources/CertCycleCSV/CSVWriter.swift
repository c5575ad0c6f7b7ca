/// Formats records as RFC 4180 CSV text that `CSVReader` (and Excel) read back unchanged.
public enum CSVWriter {
    /// The field as it should appear in a line: quoted when it contains a comma, quote,
    /// CR or LF, begins with U+FEFF, or begins or ends with a space (which Excel would otherwise trim),
    /// with every quote inside doubled. Any other value is returned as it is.
    public static func field(_ value: String) -> String {
        guard needsQuotes(value) else { return value }
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One record: the fields, each formatted by `field(_:)`, joined with commas and
    /// terminated with CRLF.
    ///
    /// A record of one empty field is written as `""` so that it is not read back as an
    /// empty line and skipped. A record of no fields is just CRLF, which readers skip.
    public static func line(_ fields: [String]) -> String {
        var bytes: [UInt8] = []
        appendLine(fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the UTF-8 bytes of `line(fields)` to `bytes`, without making any String.
    static func appendLine(_ fields: [String], to bytes: inout [UInt8]) {
        if fields.count == 1, fields[0].isEmpty {
            bytes.append(contentsOf: [ASCII.quote, ASCII.quote])
        } else {
            for (position, value) in fields.enumerated() {
                if position > 0 { bytes.append(ASCII.comma) }
                if needsQuotes(value) {
                    appendQuoted(value, to: &bytes)
                } else {
                    bytes.append(contentsOf: value.utf8)
                }
            }
        }
        bytes.append(contentsOf: [ASCII.carriageReturn, ASCII.lineFeed])
    }

    private static func needsQuotes(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard let first = utf8.first, let last = utf8.last else { return false }
        if first == ASCII.space || last == ASCII.space { return true }
        // A leading U+FEFF at the start of a file would be read as a byte order mark and dropped
        // (found by the CSV fuzz target): inside quotes it is field content.
        if first == 0xEF, utf8.starts(with: [0xEF, 0xBB, 0xBF]) { return true }
        return utf8.contains { byte in
            byte <= ASCII.comma
                && (byte == ASCII.comma || byte == ASCII.quote || byte == ASCII.lineFeed || byte == ASCII.carriageReturn)
        }
    }

    private static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(ASCII.quote)
        for byte in value.utf8 {
            if byte == ASCII.quote { bytes.append(ASCII.quote) }
            bytes.append(byte)
        }
        bytes.append(ASCII.quote)
    }
}
