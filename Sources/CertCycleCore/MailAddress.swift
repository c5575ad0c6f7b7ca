/// An e-mail address certcycle will put in an envelope and a header: ASCII `local@domain`
/// (RFC 5321 dot-atom local part, a domain of letters, digits and hyphens with at least one
/// dot, or a loopback host for tests), at most 254 bytes.
///
/// Deliberately stricter than RFC 5322: every address comes from a register cell or a
/// configuration file, which are hostile input that ends up in SMTP commands and headers. No
/// quoted local parts, comments, spaces, CR, LF or NUL can get through, so nothing an address
/// holds can start a new header or a new SMTP command.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init?(_ text: String) {
        guard Self.problem(with: text) == nil else { return nil }
        value = text
    }

    public var description: String { value }

    /// The part after `@`.
    public var domain: String { String(value[value.index(after: value.lastIndex(of: "@")!)...]) }

    /// What is wrong with `text` as an address, in a sentence for staff, or nil.
    public static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "is empty" }
        guard bytes.count <= 254 else { return "is longer than 254 characters" }
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "holds a control character (line break, tab or NUL)" }
        if bytes.contains(where: { $0 >= 0x80 }) { return "holds non-ASCII characters; give the ASCII (punycode) form" }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "must hold exactly one '@'" }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { return "needs 1–64 characters before '@'" }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8)
        for atom in local.split(separator: ".", omittingEmptySubsequences: false) {
            guard !atom.isEmpty else { return "has an empty part before '@' (a leading, trailing or doubled '.')" }
            guard atom.utf8.allSatisfy(atext.contains) else { return "has a character not allowed before '@' (spaces, quotes, <>, commas are not)" }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 || domain == "localhost" else { return "needs a domain with a '.' after '@'" }
        for label in labels {
            guard (1...63).contains(label.utf8.count) else { return "has an empty or over-long part in its domain" }
            guard label.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }),
                  label.first != "-", label.last != "-"
            else { return "has a character not allowed in its domain (letters, digits and '-' only)" }
        }
        return nil
    }
}

/// A `From` address with its display name: `杭州中奥质量认证有限公司 <cert@example.cn>`.
public struct MailMailbox: Sendable, Hashable {
    public var name: String?
    public var address: MailAddress

    public init(name: String?, address: MailAddress) {
        self.name = name
        self.address = address
    }

    /// Reads `Name <addr>` or a bare `addr`; nil (with the reason) when either part is unusable.
    public static func parse(_ text: String) -> Result<MailMailbox, MailAddressProblem> {
        let trimmed = text.trimmingSpacesAndTabs
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = String(trimmed[..<open]).trimmingSpacesAndTabs
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            if let problem = MailAddress.problem(with: address) { return .failure(MailAddressProblem("the address \(problem)")) }
            if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                return .failure(MailAddressProblem("the display name holds a control character"))
            }
            let bare = name.hasPrefix("\"") && name.hasSuffix("\"") && name.count >= 2 ? String(name.dropFirst().dropLast()) : name
            return .success(MailMailbox(name: bare.isEmpty ? nil : bare, address: MailAddress(address)!))
        }
        if let problem = MailAddress.problem(with: trimmed) { return .failure(MailAddressProblem("the address \(problem)")) }
        return .success(MailMailbox(name: nil, address: MailAddress(trimmed)!))
    }
}

public struct MailAddressProblem: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension String {
    fileprivate var trimmingSpacesAndTabs: String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return String(s)
    }
}
