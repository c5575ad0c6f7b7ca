import CertCycleConfig
import CertCycleCore
import CertCyclePublish
import CertCycleRegister
import CertCycleRunner
import CertCycleTestSupport
import Foundation
import Testing

/// Mail from the outbox through libcurl to a real SMTP server (aiosmtpd) on 127.0.0.1, with a
/// clock that jumps over the retry schedule.
@Suite("e-mail delivery through libcurl's SMTP", .serialized)
struct MailDeliveryTests {
    func publisher(_ fixture: MailFixture, _ settings: MailSettings, clock: JumpingClock, password: String? = nil) -> MailPublisher {
        MailPublisher(outbox: fixture.register, connection: MailConnection(settings: settings, password: password), clock: clock,
                      logger: quietLogger)
    }

    @Test("each letter is one message to its organisation's contact_email, each staff address gets each day's digest, and a reader decodes them")
    func lettersAndDigests() throws {
        let server = try SMTPServer()
        defer { server.stop() }
        let settings = mailSettings(url: server.url)
        let fixture = try MailFixture(settings, certificates: 40, seed: 11, through: "2026-06-08")
        defer { fixture.cleanUp() }
        let queued = try fixture.mail()
        let report = try publisher(fixture, settings, clock: JumpingClock()).deliverDue(wait: 0, holder: "test")
        #expect(report.delivered == queued.count && report.pending == 0 && report.dead == 0)
        let received = try server.messages()
        #expect(received.count == queued.count)
        #expect(Set(received.map(\.message_id)).count == received.count, "a message arrived twice")

        // Every letter file of an organisation with an address is one message; the others are 需邮寄.
        var letters = 0, toPost = 0
        for dayName in ["2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05", "2026-06-06", "2026-06-07", "2026-06-08"] {
            let folder = fixture.folder.path("notices/\(dayName)/letters")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            letters += names.count { $0.hasSuffix(".txt") }
            let digest = try String(contentsOfFile: fixture.folder.path("notices/\(dayName)/digest.md"), encoding: .utf8)
            toPost += digest.components(separatedBy: "**需邮寄**").count - 1
            let digests = received.filter { $0.subject.contains(dayName) }
            #expect(Set(digests.map(\.envelope.rcpt_tos)) == [["qa@example.cn"], ["lead@example.cn"]], "\(dayName)")
            let html = try String(contentsOfFile: fixture.folder.path("notices/\(dayName)/digest.html"), encoding: .utf8)
            for message in digests {
                // Sent in canonical form, CRLF line ends.
                #expect(message.part("text/html")?.text == html.replacingOccurrences(of: "\n", with: "\r\n"))
                #expect(message.parts.contains { $0.filename == "obligations-\(dayName).csv" })
            }
        }
        #expect(letters > 0, "the fixture wrote no letter")
        let letterMail = received.filter { $0.message_id.contains(".letter@") }
        #expect(letterMail.count == letters - toPost)
        // The generated organizations.csv: its contact_email cells are the only fields with '@'.
        let csv = try String(contentsOfFile: fixture.folder.path("register/organizations.csv"), encoding: .utf8)
        let emails = Set(csv.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: ",") }.filter { $0.contains("@") }.map(String.init))
        #expect(!emails.isEmpty)
        for message in letterMail {
            #expect(message.to_addresses.count == 1 && emails.contains(message.to_addresses[0]))
            #expect(message.envelope.rcpt_tos == message.to_addresses)
            #expect(message.envelope.mail_from == "cert@example.cn")
            #expect(message.from == "杭州中奥质量认证有限公司 <cert@example.cn>")
            #expect(message.part("multipart/alternative") != nil)
            #expect(message.subject.contains("〔2026〕"), "\(message.subject)")
            #expect(message.defects.isEmpty && !message.bare_lf && message.longest_line <= 78)
            #expect(message.raw_subject.allSatisfy { $0.count <= 78 })
        }
        // The text part is a letter file, word for word, and the HTML part its print copy.
        let texts = Set(letterMail.compactMap { $0.part("text/plain")?.text })
        #expect(texts.count == letterMail.count)
    }

    @Test("421 for the first two attempts: retried on the schedule (5 s, then 5 min) and delivered on the third, with the same Message-ID")
    func temporaryFailuresRetried() throws {
        let server = try SMTPServer(["--fail-first", "2", "--fail-code", "421"])
        defer { server.stop() }
        let settings = mailSettings(url: server.url, staff: ["qa@example.cn"])
        let fixture = try MailFixture(settings, certificates: 10, seed: 3, through: "2026-06-02")
        defer { fixture.cleanUp() }
        let clock = JumpingClock()
        let report = try publisher(fixture, settings, clock: clock).deliverDue(wait: 3600, holder: "test")
        let queued = try fixture.mail()
        #expect(report.pending == 0 && report.dead == 0)
        #expect(queued.allSatisfy { $0.0.status == .delivered && $0.0.attempts == 3 })
        let attempts = try server.attempts()
        #expect(attempts.count == queued.count * 3)
        #expect(Set(attempts.map(\.message_id)).count == queued.count)
        // 5 s after the first attempt, 5 min after the second (each with up to 10% jitter).
        #expect(clock.elapsed >= 305 && clock.elapsed <= 5.5 + 330)
        let attemptRows = try fixture.register.attempts(endpoint: "mail", eventId: queued[0].1.id)
        #expect(attemptRows.map(\.statusCode) == [421, 421, 250])
    }

    @Test("550 is final: the message becomes a dead letter at once, and redeliver queues it again")
    func rejectedIsDead() throws {
        let server = try SMTPServer(["--reject"])
        defer { server.stop() }
        let settings = mailSettings(url: server.url, staff: ["qa@example.cn"])
        let fixture = try MailFixture(settings, certificates: 10, seed: 3, through: "2026-06-02")
        defer { fixture.cleanUp() }
        let report = try publisher(fixture, settings, clock: JumpingClock()).deliverDue(wait: 3600, holder: "test")
        let queued = try fixture.mail()
        #expect(report.dead == queued.count && report.pending == 0 && report.retrying == 0)
        #expect(queued.allSatisfy { $0.0.status == .dead && $0.0.attempts == 1 && $0.0.lastStatusCode == 550 })
        #expect(queued[0].0.lastError?.contains("SMTP 550") == true)
        #expect(try fixture.register.redeliver(eventId: nil, deadOnly: true, now: Date().timeIntervalSince1970) == queued.count)
        #expect(try fixture.register.deliveryCounts()["mail"]?[.pending] == queued.count)
    }

    @Test("a server that never answers the end of DATA is cut off at timeout_seconds and the message retried later")
    func stallTimesOut() throws {
        let server = try SMTPServer(["--stall"])
        defer { server.stop() }
        var settings = mailSettings(url: server.url, staff: ["qa@example.cn"])
        settings.timeout = 2
        settings.letters = false
        let fixture = try MailFixture(settings, certificates: 5, seed: 3, through: "2026-06-02")
        defer { fixture.cleanUp() }
        let started = Date()
        let report = try publisher(fixture, settings, clock: JumpingClock()).deliverDue(wait: 0, holder: "test")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(report.retrying == 1 && report.pending == 1 && report.delivered == 0)
        let delivery = try #require(try fixture.mail().first?.0)
        #expect(delivery.lastError?.hasPrefix("timeout") == true, "\(delivery.lastError ?? "")")
    }

    @Test("STARTTLS with a self-signed certificate trusted through ca_file, with AUTH; without ca_file the certificate is refused and nothing is sent")
    func startTLSWithCAFile() throws {
        let tls = try TemporaryFolder("tls")
        defer { tls.cleanUp() }
        let (cert, key) = try selfSignedCertificate(in: tls)
        let server = try SMTPServer(["--tls-cert", cert, "--tls-key", key, "--auth", "certbot:s3cret-pw"])
        defer { server.stop() }
        var settings = mailSettings(url: server.url, staff: ["qa@example.cn"])
        settings.letters = false
        settings.username = "certbot"
        let fixture = try MailFixture(settings, certificates: 5, seed: 3, through: "2026-06-02")
        defer { fixture.cleanUp() }

        let untrusted = try publisher(fixture, settings, clock: JumpingClock(), password: "s3cret-pw").deliverDue(wait: 0, holder: "test")
        #expect(untrusted.delivered == 0 && untrusted.retrying == 1)
        #expect(try server.messages().isEmpty)
        let error = try fixture.mail().first?.0.lastError
        #expect(error?.hasPrefix("tls") == true, "\(error ?? "")")

        // Trusted through ca_file, an hour later (the retry is due).
        settings.caFile = cert
        let trusted = try publisher(fixture, settings, clock: JumpingClock(start: Date().addingTimeInterval(3600)), password: "s3cret-pw")
            .deliverDue(wait: 0, holder: "test")
        #expect(trusted.delivered == 1)
        let received = try server.messages()
        #expect(received.count == 1 && received[0].envelope.tls && received[0].envelope.login == "certbot")
    }
}
