import CertCycleCore
import Foundation
import TOMLKit

/// A parsed TOML file with typed, well-reported accessors: every problem names the file and key.
struct TOMLFile {
    let path: String
    let table: TOMLTable

    init(path: String) throws(ConfigError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, "is not UTF-8 text")
        }
        // TOML allows no raw control character but tab and line breaks (escape it in a string).
        // Checked here because toml++ asserts on one where a key starts (`[[\u{4}endpoints]]`
        // aborted a debug build; found by the fuzz targets).
        var line = 1
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x0A { line += 1; continue }
            if (value < 0x20 && value != 0x09 && value != 0x0D) || value == 0x7F {
                let hex = String(value, radix: 16, uppercase: true)
                throw ConfigError(file: path, "line \(line): the control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex) "
                    + "is not allowed in TOML; remove it (inside a string, write it as an escape such as \\u0004)")
            }
        }
        if let line = Self.badTableHeaderLine(text) {
            throw ConfigError(file: path, "line \(line): a table header must name its table: [name] or [[name]], "
                + "the name made of letters, digits, _ and - (or quoted)")
        }
        do {
            self.table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: path, "line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError(file: path, "is not valid TOML: \(error)")
        }
    }

    /// The line of the first table header whose name does not start with a bare-key character
    /// or a quote (`[[[[x]]`, `[ {x} ]`), or nil. toml++ only asserts this (an abort in a debug
    /// build, undefined behaviour under NDEBUG), so it is checked before parsing (found by fuzzing).
    /// Headers are only looked for at the start of a line outside strings and arrays.
    static func badTableHeaderLine(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        var depth = 0 // open value arrays
        var atLineStart = true
        func bareKey(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
        }
        func skipSpaces(_ i: inout Int) { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        while index < bytes.count {
            let byte = bytes[index]
            if atLineStart {
                skipSpaces(&index)
                atLineStart = false
                guard index < bytes.count else { break }
                if depth == 0, bytes[index] == UInt8(ascii: "[") {
                    var i = index + 1
                    skipSpaces(&i)
                    if i < bytes.count, bytes[i] == UInt8(ascii: "[") { i += 1; skipSpaces(&i) }
                    if i < bytes.count {
                        let first = bytes[i]
                        if !(bareKey(first) || first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") || first == UInt8(ascii: "]")) {
                            return line
                        }
                    } else {
                        return line
                    }
                    // The rest of a header line holds no array or string that spans lines.
                    while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                    continue
                }
                continue
            }
            switch byte {
            case 0x0A:
                line += 1
                atLineStart = true
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let triple = index + 2 < bytes.count && bytes[index + 1] == byte && bytes[index + 2] == byte
                index += triple ? 3 : 1
                while index < bytes.count {
                    let b = bytes[index]
                    if b == UInt8(ascii: "\\"), byte == UInt8(ascii: "\"") { index += 2; continue }
                    if b == 0x0A { line += 1; if !triple { break } }
                    if b == byte, !triple || (index + 2 < bytes.count && bytes[index + 1] == byte && bytes[index + 2] == byte) {
                        index += triple ? 3 : 1
                        break
                    }
                    index += 1
                }
                if index < bytes.count, bytes[index] == 0x0A, !triple { continue }
            case UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "]"):
                depth = max(0, depth - 1)
                index += 1
            default:
                index += 1
            }
        }
        return nil
    }

    init(path: String, table: TOMLTable) {
        self.path = path
        self.table = table
    }

    func rejectUnknownKeys(_ allowed: Set<String>, in table: TOMLTable? = nil, context: String = "") throws(ConfigError) {
        for key in (table ?? self.table).keys.sorted() where !allowed.contains(key) {
            throw ConfigError(file: path, "unknown key '\(context)\(key)' (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String, in table: TOMLTable? = nil) throws(ConfigError) -> String? {
        guard let value = (table ?? self.table)[key] else { return nil }
        guard let string = value.string else { throw ConfigError(file: path, "'\(key)' must be a string") }
        return string
    }

    func int(_ key: String, in table: TOMLTable? = nil, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = (table ?? self.table)[key] else { return nil }
        guard let int = value.int, range.contains(int) else {
            throw ConfigError(file: path, "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return int
    }

    func double(_ key: String, in table: TOMLTable? = nil, range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let value = (table ?? self.table)[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init), range.contains(number) else {
            throw ConfigError(file: path, "'\(key)' must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A list of dates, written as TOML dates (2026-02-14) or as strings ("2026-02-14").
    func dates(_ key: String, in table: TOMLTable) throws(ConfigError) -> [CivilDate] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw ConfigError(file: path, "'\(key)' must be a list of dates") }
        var dates: [CivilDate] = []
        for element in array {
            if let d = element.date, let date = CivilDate(year: d.year, month: d.month, day: d.day) {
                dates.append(date)
            } else if let s = element.string, let date = CivilDate(parsing: s) {
                dates.append(date)
            } else {
                throw ConfigError(file: path, "'\(key)' holds \(element.debugDescription), which is not a date")
            }
        }
        return dates
    }
}
