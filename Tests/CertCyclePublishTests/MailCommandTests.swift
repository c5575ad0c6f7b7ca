import CertCycleConfig
import CertCyclePublish
import CertCycleRegister
import CertCycleTestSupport
import Foundation
import Testing

/// `certcycle run`, `publish` and `outbox` with `[mail]`, as cron and systemd start them: the
/// built executable, a register file, a configuration file, and a real SMTP server.
@Suite("e-mail from the command line", .serialized)
struct MailCommandTests {
    static func writeMailConfig(_ path: String, url: String, extra: [String] = []) throws {
        let lines = ["[mail]", "url = \"\(url)\"", "from = \"杭州中奥质量认证有限公司 <cert@example.cn>\"",
                     "staff = [\"qa@example.cn\", \"lead@example.cn\"]", "timeout_seconds = 20"] + extra
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The day folders a run wrote after 2026-06-01 (the run without mail).
    static func mailedDays(_ tmp: TemporaryFolder) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tmp.path("notices")).filter { $0.hasPrefix("2026-") && $0 > "2026-06-01" }.sorted()
    }

    /// Letters written on those days, and how many of them the digests list as 需邮寄.
    static func letterCounts(_ tmp: TemporaryFolder, days: [String]) throws -> (letters: Int, toPost: Int) {
        var letters = 0, toPost = 0
        for name in days {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path("notices/\(name)/letters"))) ?? []
            letters += names.count { $0.hasSuffix(".txt") }
            let digest = try String(contentsOfFile: tmp.path("notices/\(name)/digest.md"), encoding: .utf8)
            toPost += digest.components(separatedBy: "**需邮寄**").count - 1
        }
        return (letters, toPost)
    }

    @Test("a nightly catch-up with 30% of first attempts failing delivers exactly one message per letter to the right address and one digest per staff address per day")
    func nightlyWithTemporaryFailures() throws {
        let tmp = try TemporaryFolder("mail-run")
        defer { tmp.cleanUp() }
        let server = try SMTPServer(["--fail-fraction", "0.3"])
        defer { server.stop() }
        let options = try prepareRegister(tmp, certificates: 60, seed: 31)
        let config = tmp.path("certcycle.toml")
        try Self.writeMailConfig(config, url: server.url)
        let run = try runCertcycle(["run", "--as-of", "2026-06-30", "--config", config] + options, in: tmp.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("mail: "), "\(run.stdout)")

        let days = try Self.mailedDays(tmp)
        #expect(days.count == 29)
        let (letters, toPost) = try Self.letterCounts(tmp, days: days)
        #expect(letters > 0)
        let attempts = try server.attempts()
        #expect(attempts.contains { $0.code == 451 }, "no first attempt failed")
        let received = try server.messages()
        #expect(Set(received.map(\.message_id)).count == received.count, "a message was accepted twice")
        let letterMail = received.filter { $0.message_id.contains(".letter@") }
        #expect(letterMail.count == letters - toPost)
        let digests = received.filter { $0.message_id.contains(".digest@") }
        #expect(digests.count == days.count * 2)
        for name in days {
            #expect(Set(digests.filter { $0.subject.contains(name) }.flatMap(\.to_addresses)) == ["qa@example.cn", "lead@example.cn"])
        }
        let csv = try String(contentsOfFile: tmp.path("register/organizations.csv"), encoding: .utf8)
        let emails = Set(csv.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: ",") }.filter { $0.contains("@") }.map(String.init))
        #expect(letterMail.allSatisfy { $0.to_addresses.count == 1 && emails.contains($0.to_addresses[0]) })
        // The letter files are what was sent, word for word.
        var files: Set<String> = []
        for name in days {
            let folder = tmp.path("notices/\(name)/letters")
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".txt") {
                // As sent: canonical text, CRLF line ends.
                files.insert(try String(contentsOfFile: folder + "/" + file, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n"))
            }
        }
        #expect(letterMail.allSatisfy { files.contains($0.part("text/plain")?.text ?? "") })

        let again = try runCertcycle(["run", "--as-of", "2026-06-30", "--config", config] + options, in: tmp.path)
        #expect(again.status == 0)
        #expect(try server.messages().count == received.count, "a second run for the same day sent mail again")
        let list = try runCertcycle(["outbox", "list", "--endpoint", "mail", "--config", config, options[0]], in: tmp.path)
        #expect(list.stdout.contains("mail: 0 pending, \(received.count) delivered, 0 dead"), "\(list.stdout)")
    }

    @Test("run killed with SIGKILL during mail delivery, then publish: every message delivered, never two Message-IDs for one letter")
    func killedDuringDelivery() throws {
        let tmp = try TemporaryFolder("mail-kill")
        defer { tmp.cleanUp() }
        let server = try SMTPServer(["--slow", "0.2"])
        defer { server.stop() }
        let options = try prepareRegister(tmp, certificates: 40, seed: 21)
        let config = tmp.path("certcycle.toml")
        try Self.writeMailConfig(config, url: server.url)
        let run = try startCertcycle(["run", "--as-of", "2026-06-20", "--config", config] + options, in: tmp.path)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL); run.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(120)
        while try server.attempts().count < 3, run.isRunning, Date() < deadline { usleep(20_000) }
        #expect(run.isRunning, "the run ended before it could be killed during delivery")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()

        let publish = try runCertcycle(["publish", "--wait", "30", "--config", config, options[0]], in: tmp.path)
        #expect(publish.status == 0, "\(publish.stdout)\(publish.stderr)")
        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        let queued = try register.deliveries(status: nil, endpoint: "mail", certificate: nil, limit: 1_000_000)
        #expect(queued.allSatisfy { $0.0.status == .delivered })
        let received = try server.messages()
        // Same Message-ID twice (sent again after the crash) is allowed; a second id for one letter is not.
        #expect(Set(received.map(\.message_id)) == Set(queued.map { "<\($0.1.id)>" }))
        let days = try Self.mailedDays(tmp)
        let (letters, toPost) = try Self.letterCounts(tmp, days: days)
        #expect(Set(received.filter { $0.message_id.contains(".letter@") }.map(\.message_id)).count == letters - toPost)
    }

    @Test("the SMTP password, from a systemd credential over STARTTLS, appears in no output, log, notice or the register")
    func passwordNeverShown() throws {
        let tmp = try TemporaryFolder("mail-secret")
        defer { tmp.cleanUp() }
        let (cert, key) = try selfSignedCertificate(in: tmp)
        let password = "pw-" + UUID().uuidString
        let server = try SMTPServer(["--tls-cert", cert, "--tls-key", key, "--auth", "certbot:" + password])
        defer { server.stop() }
        let options = try prepareRegister(tmp, certificates: 20, seed: 22)
        try FileManager.default.createDirectory(atPath: tmp.path("credentials"), withIntermediateDirectories: true)
        try (password + "\n").write(toFile: tmp.path("credentials/smtp"), atomically: true, encoding: .utf8)
        chmod(tmp.path("credentials/smtp"), 0o600)
        let config = tmp.path("certcycle.toml")
        try Self.writeMailConfig(config, url: server.url, extra: ["username = \"certbot\"", "password_credential = \"smtp\"", "ca_file = \"cert.pem\""])
        let environment = ["CREDENTIALS_DIRECTORY": tmp.path("credentials")]
        var outputs: [String] = []
        let run = try runCertcycle(["run", "--as-of", "2026-06-05", "--config", config, "--log-format", "json"] + options, in: tmp.path, environment: environment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        outputs += [run.stdout, run.stderr]
        let received = try server.messages()
        #expect(!received.isEmpty && received.allSatisfy { $0.envelope.tls && $0.envelope.login == "certbot" })
        // A wrong password: refused by the server (535), and still never repeated.
        try ("wrong-" + password + "\n").write(toFile: tmp.path("credentials/smtp"), atomically: true, encoding: .utf8)
        chmod(tmp.path("credentials/smtp"), 0o600)
        let redeliver = try runCertcycle(["outbox", "redeliver", String(received[0].message_id.dropFirst().dropLast()), "--config", config, options[0]],
                                         in: tmp.path, environment: environment)
        outputs += [redeliver.stdout, redeliver.stderr]
        let publish = try runCertcycle(["publish", "--wait", "0", "--config", config, options[0]], in: tmp.path, environment: environment)
        outputs += [publish.stdout, publish.stderr]
        let list = try runCertcycle(["outbox", "list", "--config", config, options[0]], in: tmp.path, environment: environment)
        outputs += [list.stdout, list.stderr]
        #expect(list.stdout.contains("SMTP 535") || list.stdout.contains("dead"), "\(list.stdout)")
        for output in outputs { #expect(!output.contains(password), "the password was shown") }
        for (path, data) in try folderContents(tmp.path) where !path.hasPrefix("credentials/") {
            #expect(data.range(of: Data(password.utf8)) == nil, "the password is in \(path)")
        }
    }

    @Test("import refuses a contact_email with a line break, naming the file, line and column, without repeating the line break")
    func hostileContactEmail() throws {
        let tmp = try TemporaryFolder("mail-import")
        defer { tmp.cleanUp() }
        let generate = try runCertcycle(["generate", "--certificates", "5", "--seed", "2", "--out", "register"], in: tmp.path)
        #expect(generate.status == 0)
        let path = tmp.path("register/organizations.csv")
        // Lines end in CRLF, one Character in Swift: split on it, not on "\n".
        var rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        try #require(rows.count > 2)
        // contact_email is the last column of the generated file.
        let cells = rows[1].split(separator: ",", omittingEmptySubsequences: false).dropLast()
        rows[1] = cells.joined(separator: ",") + ",\"office@example.cn\r\nBcc: victim@example.org\""
        try rows.joined(separator: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        let imported = try runCertcycle(["import", "register", "--db=sqlite:reg.sqlite"], in: tmp.path)
        #expect(imported.status == 65, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stderr.contains("organizations.csv:2: column contact_email:"), "\(imported.stderr)")
        #expect(imported.stderr.contains("is not an e-mail address"))
        #expect(!imported.stderr.contains("\nBcc:"), "the cell's line break reached the message")
    }

    @Test("a bad [mail] table stops every command with exit 78 and one line naming the file", arguments: [
        (["[mail]", "url = \"http://smtp.example.cn\"", "from = \"cert@example.cn\""], "'url' must be smtps://"),
        (["[mail]", "url = \"smtps://smtp.example.cn\"", "from = \"名称 <cert@@example.cn>\""], "'from'"),
        (["[mail]", "url = \"smtps://smtp.example.cn\"", "from = \"cert@example.cn\"", "staff = [\"qa@example.cn\\r\\nBcc: x@y.cn\"]"], "staff address"),
        (["[mail]", "url = \"smtps://smtp.example.cn\"", "from = \"cert@example.cn\"", "password_file = \"pw\""], "needs 'username'"),
        (["[mail]", "url = \"smtps://smtp.example.cn\"", "from = \"cert@example.cn\"", "colour = 1"], "unknown key 'mail.colour'"),
    ])
    func badConfiguration(_ lines: [String], _ expected: String) throws {
        let tmp = try TemporaryFolder("mail-config")
        defer { tmp.cleanUp() }
        try (lines.joined(separator: "\n") + "\n").write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
        let result = try runCertcycle(["publish", "--config", tmp.path("certcycle.toml"), "--db=sqlite:reg.sqlite"], in: tmp.path)
        #expect(result.status == 78, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stderr.contains("certcycle.toml"))
    }
}
