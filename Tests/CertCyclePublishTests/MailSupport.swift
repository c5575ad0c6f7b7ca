import CertCycleConfig
import CertCycleCore
import CertCyclePublish
import CertCycleRegister
import CertCycleRunner
import CertCycleSampleData
import CertCycleTestSupport
import Foundation
import Testing

/// `Tests/Support/smtp_server.py` (aiosmtpd) on 127.0.0.1, a real SMTP server in its own process.
/// Its output goes to files (never a pipe this process holds); `stop()` kills it with SIGKILL,
/// since a process started from a test may have SIGTERM blocked.
final class SMTPServer: @unchecked Sendable {
    let folder: TemporaryFolder
    let process: Process
    let port: Int

    static let script = packageRoot.appendingPathComponent("Tests/Support/smtp_server.py").path

    init(_ options: [String] = []) throws {
        folder = try TemporaryFolder("smtp")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "serve", "--port-file", folder.path("port"), "--folder", folder.path("box")] + options
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: folder.path("stderr"), contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path("stderr")))
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: folder.path("port"), encoding: .utf8) {
                found = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            let stderr = (try? String(contentsOfFile: folder.path("stderr"), encoding: .utf8)) ?? ""
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            folder.cleanUp()
            throw TestFailure("smtp_server.py did not start (needs python3 -m pip install aiosmtpd): \(stderr)")
        }
        port = found
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// Every attempt, in order (accepted or not).
    func attempts() throws -> [SMTPAttempt] {
        guard let data = FileManager.default.contents(atPath: folder.path("box/attempts.jsonl")) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(SMTPAttempt.self, from: Data($0)) }
    }

    /// Every accepted message, decoded by Python's `email` package.
    func messages() throws -> [ReceivedMail] {
        guard FileManager.default.fileExists(atPath: folder.path("box")) else { return [] }
        let result = try runProcess("/usr/bin/env", ["python3", Self.script, "decode", folder.path("box")], in: folder.path)
        guard result.status == 0 else { throw TestFailure("decode failed: \(result.stderr)") }
        return try JSONDecoder().decode([ReceivedMail].self, from: Data(result.stdout.utf8))
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        folder.cleanUp()
    }
}

struct SMTPAttempt: Decodable, Sendable {
    var message_id: String
    var attempt: Int
    var code: Int
    var mail_from: String?
    var rcpt_tos: [String]
    var tls: Bool
    var login: String?
}

/// One message as a mail reader sees it (`smtp_server.py decode`).
struct ReceivedMail: Decodable, Sendable {
    struct Part: Decodable, Sendable {
        var content_type: String
        var charset: String?
        var filename: String?
        var transfer_encoding: String?
        var text: String?
    }

    var file: String
    var envelope: SMTPAttempt
    var subject: String
    var from: String
    var to: String
    var to_addresses: [String]
    var message_id: String
    var date: String
    var header_names: [String]
    var raw_subject: [String]
    var bare_lf: Bool
    var longest_line: Int
    var defects: [String]
    var parts: [Part]

    func part(_ type: String) -> Part? { parts.first { $0.content_type == type } }
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with openssl in `folder`.
func selfSignedCertificate(in folder: TemporaryFolder) throws -> (cert: String, key: String) {
    let cert = folder.path("cert.pem"), key = folder.path("key.pem")
    let result = try runProcess("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                                 "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                                in: folder.path)
    guard result.status == 0 else { throw TestFailure("openssl failed: \(result.stderr)") }
    return (cert, key)
}

func mailSettings(url: String, staff: [String] = ["qa@example.cn", "lead@example.cn"]) -> MailSettings {
    var settings = MailSettings(url: url, from: MailMailbox(name: "杭州中奥质量认证有限公司", address: MailAddress("cert@example.cn")!))
    settings.staff = staff.compactMap(MailAddress.init)
    settings.connectTimeout = 5
    settings.timeout = 20
    return settings
}

/// A generated register in the in-memory store, run without mail on 2026-06-01, then with
/// `settings` through `through`: the outbox holds that stretch's letters and digests.
struct MailFixture {
    let folder: TemporaryFolder
    let register: MemoryRegister

    init(_ settings: MailSettings, certificates: Int = 30, seed: UInt64 = 9, through: String = "2026-06-05") throws {
        folder = try TemporaryFolder("mail")
        _ = try RegisterGenerator(certificates: certificates, seed: seed, around: day("2026-06-30")).write(to: folder.path("register"))
        register = MemoryRegister()
        _ = try RegisterImporter(register: register).importDirectory(folder.path("register"))
        _ = try nightly(nil).run(asOf: day("2026-06-01"))
        _ = try nightly(settings).run(asOf: day(through))
    }

    func nightly(_ mail: MailSettings?) -> NightlyRun {
        var run = NightlyRun(register: register, jobs: shippedJobs, templates: shippedTemplates,
                             notices: NoticeFolderWriter(root: folder.path("notices")), logger: quietLogger, holder: "test",
                             now: { Date() })
        run.mail = mail
        return run
    }

    func mail() throws -> [(Delivery, OutboxEvent)] {
        try register.deliveries(status: nil, endpoint: "mail", certificate: nil, limit: 1_000_000)
    }

    func cleanUp() { folder.cleanUp() }
}
