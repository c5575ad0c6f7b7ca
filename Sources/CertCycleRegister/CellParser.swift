import Foundation
import CertCycleCore

struct CellProblem: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Turns one trimmed, non-empty CSV cell into a value of its column's kind.
enum CellParser {
    static let dateSpellings = "use YYYY-MM-DD, YYYY/M/D or YYYY年M月D日"

    static func parse(_ cell: String, as kind: RegisterColumn.Kind) -> Result<CellValue, CellProblem> {
        switch kind {
        case .id, .reference, .idText:
            if let problem = idProblem(cell) { return .failure(CellProblem(problem)) }
            return .success(.text(cell))
        case .text:
            return .success(.text(cell))
        case .list:
            return .success(.text(normalizedList(cell).joined(separator: ";")))
        case .idList:
            let items = normalizedList(cell)
            for item in items {
                if let problem = idProblem(item) { return .failure(CellProblem("'\(item)' in the list: \(problem)")) }
            }
            return .success(.text(items.joined(separator: ";")))
        case .date:
            guard let date = CivilDate(parsing: cell) else {
                return .failure(CellProblem("'\(cell)' is not a date (\(dateSpellings))"))
            }
            return .success(.date(date))
        case .count:
            guard let n = Int(cell), n >= 0 else { return .failure(CellProblem("'\(cell)' is not a whole number ≥ 0")) }
            return .success(.integer(n))
        case .score:
            guard let n = Double(cell), n.isFinite else { return .failure(CellProblem("'\(cell)' is not a number")) }
            guard (0...100).contains(n) else { return .failure(CellProblem("\(cell) is out of range: scores are 0–100")) }
            return .success(.real(n))
        case .manDays:
            guard let n = Double(cell), n.isFinite, n >= 0 else { return .failure(CellProblem("'\(cell)' is not a number of man-days ≥ 0")) }
            return .success(.real(n))
        case .reason(let range):
            let clause = range.upperBound == 7 ? "9.3.2.1" : "9.3.3.1"
            guard let n = Int(cell), range.contains(n) else {
                return .failure(CellProblem("'\(cell)' is not a reason of clause \(clause) (\(range.lowerBound)–\(range.upperBound))"))
            }
            return .success(.integer(n))
        case .choice(let choices):
            let value = cell.lowercased()
            guard choices.contains(value) else {
                return .failure(CellProblem("'\(cell)' is not one of \(choices.joined(separator: ", "))"))
            }
            return .success(.text(value))
        case .creditCode:
            let code = cell.uppercased()
            if let problem = CreditCode.problem(with: code) { return .failure(CellProblem("'\(cell)' \(problem)")) }
            return .success(.text(code))
        case .email:
            // The address goes into SMTP commands and mail headers (INTERFACE.md "E-mail"): only
            // what MailAddress accepts is stored, and the cell is quoted escaped in the message,
            // since it may hold a line break.
            if let problem = MailAddress.problem(with: cell) {
                return .failure(CellProblem("\(cell.debugDescription) is not an e-mail address: it \(problem)"))
            }
            return .success(.text(cell))
        }
    }

    /// 1–60 of ASCII letters, digits, `-`, `_`, `.`, not starting with `.` (the IAF CertSearch limit).
    static func idProblem(_ id: String) -> String? {
        let bytes = id.utf8
        guard (1...60).contains(bytes.count) else {
            return "'\(id)' is \(id.count) characters long; ids are 1–60 characters"
        }
        guard bytes.first != UInt8(ascii: ".") else { return "'\(id)' starts with '.'; ids may not" }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                return "'\(id)' is not a valid id: use letters, digits, '-', '_' and '.' only"
            }
        }
        return nil
    }

    /// Why a raw cell may not be stored: a control character other than tab and the line breaks
    /// a quoted cell may hold. NUL would cut the text short in C-string APIs (the register once
    /// stored `AB\0CD` as `AB`); ESC and the other C0/C1 controls reach terminals and letters.
    static func controlCharacterProblem(_ cell: String) -> String? {
        // Fast path over the bytes: C1 controls are U+0080–U+009F, in UTF-8 0xC2 0x80–0x9F.
        var suspicious = false
        var afterC2 = false
        for byte in cell.utf8 {
            if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F || (afterC2 && byte < 0xA0) {
                suspicious = true
                break
            }
            afterC2 = byte == 0xC2
        }
        guard suspicious else { return nil }
        for (offset, scalar) in cell.unicodeScalars.enumerated() {
            let value = scalar.value
            guard (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || (0x7F...0x9F).contains(value) else { continue }
            let name = value == 0 ? " (NUL)" : value == 0x1B ? " (ESC)" : value == 0x7F ? " (DEL)" : ""
            let hex = String(value, radix: 16, uppercase: true)
            return "contains the control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex)\(name) at character \(offset + 1); "
                + "remove it (only tabs, and line breaks inside quoted cells, are allowed)"
        }
        return nil
    }

    /// The cell without the white space (Unicode White_Space: spaces, tabs, line breaks, U+3000…)
    /// at its ends, as Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives it,
    /// without its detour through NSString (a tenth of an import's time went there). Fast when
    /// the ends are plain ASCII.
    static func trimmed(_ cell: String) -> String {
        let utf8 = cell.utf8
        guard let first = utf8.first, let last = utf8.last else { return cell }
        func plain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }
        if plain(first), plain(last) { return cell }
        return String(trimmed(cell[...], isSpace: isWhiteSpace))
    }

    /// The items of a `;`-separated list, each trimmed of spaces and tabs, the empty ones left out.
    /// An ASCII cell is split at its `;` bytes; any other at its `;` characters, as before (a `;`
    /// followed by a combining mark is one character, not a separator).
    static func normalizedList(_ cell: String) -> [String] {
        let items: [Substring] = cell.utf8.allSatisfy { $0 < 0x80 }
            ? cell.utf8.split(separator: UInt8(ascii: ";")).map { Substring($0) }
            : cell.split(separator: ";")
        return items.compactMap { bytes in
            let item = trimmed(bytes, isSpace: isListSpace)
            return item.isEmpty ? nil : String(item)
        }
    }

    /// `CharacterSet.whitespacesAndNewlines`: Unicode's White_Space, and the zero-width space,
    /// which Foundation still counts as a space (older Unicode did).
    private static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace || scalar == "\u{200B}"
    }

    /// `CharacterSet.whitespaces`: tab, the space separators (category Zs) and the zero-width space.
    private static func isListSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || scalar == "\t" : scalar.properties.generalCategory == .spaceSeparator || scalar == "\u{200B}"
    }

    private static func trimmed(_ text: Substring, isSpace: (Unicode.Scalar) -> Bool) -> Substring {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = scalars.lastIndex(where: { !isSpace($0) })!
        return Substring(scalars[start...end])
    }
}

/// Checks that involve several cells of one row: dates in a sensible order, impartiality (6.6),
/// what an audit of each kind must carry.
enum RowRules {
    struct Problem {
        var column: String
        var message: String
    }

    static func check(_ table: RegisterTable, _ values: [CellValue?]) -> [Problem] {
        let row = Cells(table: table, values: values)
        var problems: [Problem] = []
        func notBefore(_ later: String, _ earlier: String) {
            guard let a = row.date(later), let b = row.date(earlier), a < b else { return }
            problems.append(Problem(column: later, message: "\(a) is before \(earlier) \(b)"))
        }
        switch table {
        case .audits:
            notBefore("onsite_end", "onsite_start")
            notBefore("decision_date", "onsite_end")
            let kind = row.text("kind")
            if let maker = row.text("decided_by"), row.list("team").contains(maker) {
                problems.append(Problem(column: "decided_by", message: "'\(maker)' was on the audit team; a decision maker may not have audited (6.6)"))
            }
            if kind == "special", row.date("due_on") == nil {
                problems.append(Problem(column: "due_on", message: "is required for a special audit: the date it must be done by (7.2)"))
            }
            if let kind, kind != "special", row.date("due_on") != nil {
                problems.append(Problem(column: "due_on", message: "is only for special audits, not \(kind) audits"))
            }
            if let kind, kind != "special", row.text("reason") != nil {
                problems.append(Problem(column: "reason", message: "is only for special audits (the situation of 7.2 that calls for one), not \(kind) audits"))
            }
            if kind == "initial" || kind == "recertification", row.date("decision_date") != nil, row.values[5] == nil {
                problems.append(Problem(column: "score", message: "is required for \(kind!) audits with a decision_date: the score decides pass or fail (6.5)"))
            }
        case .nonconformities:
            notBefore("due_on", "notified_on")
            notBefore("closed_on", "notified_on")
        case .suspensions:
            notBefore("start_on", "cause_verified_on")
            notBefore("lifted_on", "start_on")
        case .withdrawals:
            notBefore("decided_on", "cause_verified_on")
            notBefore("recalled_on", "decided_on")
        case .applications:
            notBefore("reviewed_on", "received_on")
            notBefore("notified_on", "received_on")
            notBefore("notified_on", "reviewed_on")
            if row.text("reason") != nil, row.text("outcome") != "not_accepted" {
                problems.append(Problem(column: "reason", message: "is only for applications whose outcome is not_accepted (the reason the notice states, 6.1.5)"))
            }
            if row.text("outcome") == "not_accepted", row.date("reviewed_on") == nil {
                problems.append(Problem(column: "reviewed_on", message: "is required when the outcome is not_accepted: the notice is due 5 days after it (6.1.5)"))
            }
            if let kind = row.text("kind"), kind == "recertification" || kind == "scope_extension" || kind == "change", row.text("cert_no") == nil {
                problems.append(Problem(column: "cert_no", message: "is required for \(kind) applications: it names the certificate concerned"))
            }
        case .appeals:
            notBefore("replied_on", "received_on")
        case .misuse:
            notBefore("corrected_on", "requested_on")
        case .organizations, .certificates:
            break
        }
        return problems
    }

    /// Named access to a row's values.
    struct Cells {
        let table: RegisterTable
        let values: [CellValue?]

        func value(_ name: String) -> CellValue? {
            guard let index = table.position(of: name) else { return nil }
            return values[index]
        }

        func date(_ name: String) -> CivilDate? {
            if case .date(let d)? = value(name) { return d }
            return nil
        }

        func text(_ name: String) -> String? {
            if case .text(let s)? = value(name) { return s }
            return nil
        }

        func list(_ name: String) -> [String] { CellParser.normalizedList(text(name) ?? "") }
    }
}
