public import CertCycleCore
import Crypto
public import Foundation

/// An RFC 5322 message with MIME (RFC 2045–2047) bodies, built by certcycle itself: pure, no IO.
///
/// Every value that came from the register (organisation names, letter texts, subjects) is
/// hostile: it only ever reaches the message base64-encoded (bodies, RFC 2047 encoded-words), so
/// a CR, LF or NUL in it cannot start a header or end the message. Addresses are `MailAddress`
/// values, which hold none of them; the Message-ID and date are made here.
public struct MailMessage: Sendable, Hashable {
    public struct Attachment: Sendable, Hashable {
        public var fileName: String
        /// e.g. `text/csv; charset=utf-8`.
        public var contentType: String
        public var data: Data

        public init(fileName: String, contentType: String, data: Data) {
            self.fileName = fileName
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: MailMailbox
    public var to: MailMailbox
    public var subject: String
    public var date: Date
    /// Without the angle brackets: `HEX.letter@example.cn`.
    public var messageID: String
    public var text: String
    /// The HTML alternative of `text`, if any.
    public var html: String?
    public var attachments: [Attachment] = []

    public init(from: MailMailbox, to: MailMailbox, subject: String, date: Date, messageID: String, text: String, html: String?,
                attachments: [Attachment] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.text = text
        self.html = html
        self.attachments = attachments
    }

    /// A Message-ID that is the same every time it is made for the same `key` (a letter's ledger
    /// record, a digest's day and recipient), so a retry or a rerun after a crash re-sends the
    /// same message rather than a second one.
    public static func messageID(key: String, kind: String, domain: String) -> String {
        let digest = MIME.sha256Hex(Data(key.utf8))
        return "\(digest.prefix(32)).\(kind)@\(domain)"
    }

    /// The whole message, lines ending in CRLF, ready for SMTP DATA (curl dot-stuffs it).
    public func rendered() -> String {
        let boundaryBase = "=_cc" + MIME.sha256Hex(Data(messageID.utf8)).prefix(24)
        var out = ""
        out.reserveCapacity(text.utf8.count * 2 + (html?.utf8.count ?? 0) * 2 + 2048)
        func header(_ name: String, _ value: String) { out += name + ": " + value + "\r\n" }
        header("Date", MIME.date(date))
        header("From", MIME.mailbox(from, headerName: "From"))
        header("To", MIME.mailbox(to, headerName: "To"))
        header("Message-ID", "<" + messageID + ">")
        header("Subject", MIME.encodedHeader(subject, headerName: "Subject"))
        header("MIME-Version", "1.0")
        header("Auto-Submitted", "auto-generated")
        let alternative = boundaryBase + "a"
        func textParts() -> String {
            guard let html else { return MIME.part(contentType: "text/plain; charset=utf-8", data: MIME.canonicalText(text)) }
            var body = "Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n"
            body += "--\(alternative)\r\n" + MIME.part(contentType: "text/plain; charset=utf-8", data: MIME.canonicalText(text))
            body += "--\(alternative)\r\n" + MIME.part(contentType: "text/html; charset=utf-8", data: MIME.canonicalText(html))
            body += "--\(alternative)--\r\n"
            return body
        }
        if attachments.isEmpty {
            out += textParts()
        } else {
            let mixed = boundaryBase + "m"
            out += "Content-Type: multipart/mixed; boundary=\"\(mixed)\"\r\n\r\n"
            out += "--\(mixed)\r\n" + textParts()
            for attachment in attachments {
                out += "--\(mixed)\r\n"
                out += MIME.part(contentType: attachment.contentType, data: attachment.data,
                                 disposition: "attachment; " + MIME.fileNameParameter(attachment.fileName))
            }
            out += "--\(mixed)--\r\n"
        }
        return out
    }
}

/// The encodings the message needs, each small enough to test on its own.
public enum MIME {
    /// A body part: its headers, a blank line, the data in base64 lines of 76 characters.
    static func part(contentType: String, data: Data, disposition: String? = nil) -> String {
        var out = "Content-Type: \(contentType)\r\nContent-Transfer-Encoding: base64\r\n"
        if let disposition { out += "Content-Disposition: \(disposition)\r\n" }
        return out + "\r\n" + base64Lines(data)
    }

    /// Text in its canonical form (RFC 2046 §4.1.1): every line ending in CRLF, whatever the
    /// file had, since base64 carries the line ends as they are.
    public static func canonicalText(_ text: String) -> Data {
        var out = Data(capacity: text.utf8.count + text.utf8.count / 16)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// Base64 in lines of at most 76 characters, each ending in CRLF (RFC 2045 §6.8).
    public static func base64Lines(_ data: Data) -> String {
        let encoded = data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return encoded.isEmpty ? "" : encoded + "\r\n"
    }

    /// A header value: as it is when it is printable ASCII without `=?` (and short), else RFC 2047
    /// encoded-words of at most 75 characters, folded one per line. `headerName` sizes the first line.
    public static func encodedHeader(_ value: String, headerName: String) -> String {
        let clean = withoutControls(value)
        if clean.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !clean.contains("=?"), clean.utf8.count + headerName.utf8.count + 2 <= 78 {
            return clean
        }
        return encodedWords(clean).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters, split between characters (never inside
    /// one's UTF-8 bytes, RFC 2047 §5): at most 42 bytes of text each (68 characters), so that
    /// even the first line, `Subject: ` and a word, stays within 78.
    public static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk = Data()
        func flush() {
            if !chunk.isEmpty { words.append("=?UTF-8?B?" + chunk.base64EncodedString() + "?=") }
            chunk = Data()
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count > 42 {
                // A character longer than a word (a long emoji sequence) is split between its scalars.
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > 42 { flush() }
                    chunk.append(contentsOf: scalarBytes)
                }
                continue
            }
            if chunk.count + bytes.count > 42 { flush() }
            chunk.append(contentsOf: bytes)
        }
        flush()
        return words.isEmpty ? ["=?UTF-8?B??="] : words
    }

    /// `Name <addr>` with the name quoted (ASCII) or encoded (anything else), or the bare address.
    public static func mailbox(_ mailbox: MailMailbox, headerName: String) -> String {
        guard let name = mailbox.name.map(withoutControls), !name.isEmpty else { return mailbox.address.value }
        let phrase: String
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !name.contains("=?") {
            phrase = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        } else {
            phrase = encodedWords(name).joined(separator: "\r\n ")
        }
        return phrase + "\r\n <" + mailbox.address.value + ">"
    }

    /// `filename="…"` for ASCII names, else the RFC 2231 form every mail reader knows.
    static func fileNameParameter(_ name: String) -> String {
        let clean = withoutControls(name)
        if clean.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return "filename=\"\(clean)\"" }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let escaped = clean.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        return "filename*=UTF-8''\(escaped)"
    }

    /// RFC 5322 date in UTC: `Wed, 02 Dec 2026 18:00:00 +0000`.
    public static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Drops C0 controls and DEL (CR, LF, NUL, tab…): they have no place in a header's text.
    static func withoutControls(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }
}
