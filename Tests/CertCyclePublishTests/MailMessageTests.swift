import CertCycleConfig
import CertCycleCore
import CertCyclePublish
import Foundation
import Testing

/// The messages certcycle builds itself (RFC 5322, MIME, RFC 2047), without a server.
@Suite("e-mail messages")
struct MailMessageTests {
    static let from = MailMailbox(name: "杭州中奥质量认证有限公司", address: MailAddress("cert@example.cn")!)

    static func message(subject: String = "监督审查通知", toName: String? = "某某公司", text: String = "正文\n第二行\n",
                        html: String? = "<p>正文</p>") -> MailMessage {
        MailMessage(from: from, to: MailMailbox(name: toName, address: MailAddress("office@example.com")!), subject: subject,
                    date: Date(timeIntervalSince1970: 1_796_000_000), messageID: MailMessage.messageID(key: "letter|stage|k", kind: "letter", domain: "example.cn"),
                    text: text, html: html)
    }

    static func headers(_ rendered: String) -> [String] {
        rendered.components(separatedBy: "\r\n\r\n").first!.components(separatedBy: "\r\n")
    }

    @Test("a UTF-8 subject becomes RFC 2047 encoded-words of at most 75 characters, split between characters, that decode to the subject")
    func subjectEncodedWords() {
        let subject = String(repeating: "监督审查通知（中奥认证函〔2026〕1202-003号）😀", count: 4)
        let words = MIME.encodedWords(subject)
        #expect(words.count > 1)
        var decoded = ""
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!
            // Each word holds whole characters: it decodes on its own.
            let piece = String(data: payload, encoding: .utf8)
            #expect(piece != nil)
            decoded += piece ?? ""
        }
        #expect(decoded == subject)
    }

    @Test("an ASCII subject that fits on a line is left as it is")
    func asciiSubject() {
        #expect(MIME.encodedHeader("Daily digest 2026-06-02", headerName: "Subject") == "Daily digest 2026-06-02")
        #expect(MIME.encodedHeader("=?UTF-8?B?x?=", headerName: "Subject").hasPrefix("=?UTF-8?B?"))
    }

    @Test("CR, LF and NUL in an organisation's name, the subject or the letter never start a header", arguments: [
        "恶意公司\r\nBcc: victim@example.org", "Evil Corp\r\nBcc: victim@example.org", "名\0称\n\nbody", "\r\n.\r\nMAIL FROM:<x@y.cn>",
    ])
    func headerInjection(_ hostile: String) {
        let rendered = Self.message(subject: hostile, toName: hostile, text: hostile + "\r\n.\r\n", html: hostile).rendered()
        let lines = Self.headers(rendered)
        let names = lines.filter { !$0.hasPrefix(" ") }.map { String($0.prefix { $0 != ":" }) }
        #expect(names == ["Date", "From", "To", "Message-ID", "Subject", "MIME-Version", "Auto-Submitted", "Content-Type"])
        // The hostile text stays inside its header (encoded, or a quoted name without the line break).
        #expect(!rendered.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc") || $0.hasPrefix(".") || $0.hasPrefix("MAIL") })
        #expect(!rendered.contains("\0"))
        // Every line ends in CRLF: no bare CR or LF anywhere.
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
    }

    @Test("bodies are base64 in lines of at most 76 characters, and the text and HTML are alternatives")
    func base64Bodies() {
        let text = String(repeating: "第三条　认证机构应当在监督审查到期前通知获证组织。\n", count: 40)
        let rendered = Self.message(text: text).rendered()
        for line in rendered.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(rendered.contains("Content-Type: multipart/alternative; boundary="))
        #expect(rendered.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64"))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64"))
        #expect(MIME.base64Lines(Data(text.utf8)).components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
    }

    @Test("the Message-ID comes from the letter's ledger record: the same key gives the same id, another key another")
    func stableMessageID() {
        let a = MailMessage.messageID(key: "letter|stage|surveillance|CAS-1|A1|2026-03-01#due", kind: "letter", domain: "example.cn")
        #expect(a == MailMessage.messageID(key: "letter|stage|surveillance|CAS-1|A1|2026-03-01#due", kind: "letter", domain: "example.cn"))
        #expect(a != MailMessage.messageID(key: "letter|stage|surveillance|CAS-1|A1|2026-03-01#overdue", kind: "letter", domain: "example.cn"))
        #expect(a.hasSuffix(".letter@example.cn"))
        #expect(Self.message().rendered() == Self.message().rendered())
    }

    @Test("text parts are sent in canonical form: every line ends in CRLF")
    func canonicalText() {
        #expect(MIME.canonicalText("a\nb\r\nc\n") == Data("a\r\nb\r\nc\r\n".utf8))
    }

    @Test("the From display name is encoded, the address left bare")
    func fromHeader() {
        let value = MIME.mailbox(Self.from, headerName: "From")
        #expect(value.hasPrefix("=?UTF-8?B?"))
        #expect(value.hasSuffix("<cert@example.cn>"))
        #expect(MIME.mailbox(MailMailbox(name: "Cert \"Office\"", address: MailAddress("a@b.cn")!), headerName: "From") == "\"Cert \\\"Office\\\"\"\r\n <a@b.cn>")
    }

    @Test("addresses with a line break, space, quote, two @ or no domain are refused", arguments: [
        "a@b.cn\r\nBcc: c@d.cn", "a b@c.cn", "\"a\"@b.cn", "a@b@c.cn", "a@localhost.", "a@b", "@b.cn", "a..b@c.cn", "a@b.cn\0", "张三@例子.中国", "<a@b.cn>",
    ])
    func badAddresses(_ text: String) {
        #expect(MailAddress(text) == nil)
        #expect(MailAddress.problem(with: text) != nil)
    }

    @Test("ordinary addresses are accepted", arguments: ["office@example.cn", "qa.lead+cert@mail.example.com.cn", "o'brien@x-y.org"])
    func goodAddresses(_ text: String) {
        #expect(MailAddress(text)?.value == text)
    }

    @Test("From in the configuration is read as 'Name <address>' or a bare address")
    func mailboxParsing() throws {
        let named = try MailMailbox.parse("杭州中奥质量认证有限公司 <cert@example.cn>").get()
        #expect(named.name == "杭州中奥质量认证有限公司" && named.address.value == "cert@example.cn")
        #expect(try MailMailbox.parse("cert@example.cn").get().name == nil)
        #expect((try? MailMailbox.parse("名称\r\nBcc: x@y.cn <cert@example.cn>").get()) == nil)
    }

    @Test("smtp:// needs STARTTLS unless plaintext is allowed or the relay is on the loopback; smtps:// is TLS from the start")
    func tlsRequirement() {
        #expect(mailSettings(url: "smtp://smtp.example.cn:587").requiresTLS)
        var plain = mailSettings(url: "smtp://smtp.example.cn:25")
        plain.allowPlaintext = true
        #expect(!plain.requiresTLS)
        #expect(!mailSettings(url: "smtp://127.0.0.1:2525").requiresTLS)
        #expect(!mailSettings(url: "smtps://smtp.example.cn:465").requiresTLS)
    }
}
