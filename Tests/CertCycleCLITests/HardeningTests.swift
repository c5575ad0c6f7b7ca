import CertCycleTestSupport
import Foundation
import Testing

/// Attacks on the built `certcycle` (issue 9): hostile register data, far-future dates, damaged
/// or unwritable files, hostile arguments. Each test reproduces the attack first.
@Suite("hardening: hostile data and unlucky operators", .serialized)
struct HardeningTests {
    /// One organisation, one certificate with an initial audit (its surveillance is overdue by
    /// mid-2026); cells are CSV text as given.
    static func writeRegister(_ folder: String, nameCell: String, scopeCell: String = "家用电器的售后服务", certNo: String = "CAS-1") throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("org_id,name,employees\nORG-1,\(nameCell),10\n".utf8).write(to: URL(fileURLWithPath: folder + "/organizations.csv"))
        try Data("cert_no,org_id,scope\n\(certNo),ORG-1,\(scopeCell)\n".utf8).write(to: URL(fileURLWithPath: folder + "/certificates.csv"))
        try Data("audit_id,cert_no,kind,onsite_end,score,decision_date\nA-1,\(certNo),initial,2025-03-01,90,2025-03-10\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/audits.csv"))
    }

    static let formulaName = #""=HYPERLINK(""http://example.invalid"",""点击"")""#
    static let formulaScope = "+cmd|' /C calc'!A0"

    /// Every field of every record of CSV `text` (the BOM dropped), split naively: enough for
    /// these rows, whose only quoted field is the name.
    static func fieldsStartingWith(_ prefixes: [Character], in text: String) -> [String] {
        var result: [String] = []
        for line in text.split(separator: "\r\n") {
            var fields: [String] = []
            var current = ""
            var quoted = false
            for character in line {
                if character == "\"" { quoted.toggle() }
                if character == ",", !quoted { fields.append(current); current = "" } else { current.append(character) }
            }
            fields.append(current)
            for field in fields {
                let bare = field.hasPrefix("\"") ? String(field.dropFirst()) : field
                if let first = bare.first, prefixes.contains(first) { result.append(bare) }
            }
        }
        return result
    }

    @Test("scan and status --format csv neutralise cells a spreadsheet would run as formulas; export keeps them exactly")
    func csvFormulaInjection() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        try Self.writeRegister(tmp.path("in"), nameCell: Self.formulaName, scopeCell: Self.formulaScope, certNo: "-2-3")
        let imported = try runCertcycle(["import", "in", db], in: tmp.path)
        #expect(imported.status == 0, "\(imported.stderr)")

        let scan = try runCertcycle(["scan", "--as-of", "2026-06-30", "--format", "csv", db], in: tmp.path)
        #expect(scan.status == 0, "\(scan.stderr)")
        #expect(scan.stdout.contains("\r\n'-2-3,certificate,surveillance,"))
        #expect(scan.stdout.contains(#""'=HYPERLINK(""http://example.invalid"",""点击"")""#))
        #expect(Self.fieldsStartingWith(["=", "+", "@"], in: scan.stdout).isEmpty)
        #expect(Self.fieldsStartingWith(["-"], in: scan.stdout).allSatisfy { Int($0) != nil }, "only negative numbers may start with '-'")

        let status = try runCertcycle(["status", "--as-of", "2026-06-30", "--format", "csv", db], in: tmp.path)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\r\n'-2-3,active,"))
        #expect(status.stdout.contains(",'+cmd|' /C calc'!A0,"))
        #expect(status.stdout.contains(#""'=HYPERLINK(""http://example.invalid"",""点击"")""#))
        #expect(Self.fieldsStartingWith(["=", "+", "@", "-"], in: status.stdout).isEmpty)

        // JSONL is for programs: exact.
        let jsonl = try runCertcycle(["status", "--as-of", "2026-06-30", "--format", "jsonl", db], in: tmp.path)
        #expect(jsonl.stdout.contains(#""certificate":"-2-3""#) && jsonl.stdout.contains(#""scope":"+cmd|' /C calc'!A0""#))

        let exported = try runCertcycle(["export", "out", db], in: tmp.path)
        #expect(exported.status == 0, "\(exported.stderr)")
        let certificates = try String(contentsOfFile: tmp.path("out/certificates.csv"), encoding: .utf8)
        #expect(certificates.contains("\r\n-2-3,ORG-1,+cmd|' /C calc'!A0,"))
    }

    @Test("the notice folder's obligations.csv neutralises formula cells")
    func noticeCSVFormulaInjection() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        try Self.writeRegister(tmp.path("in"), nameCell: Self.formulaName, scopeCell: Self.formulaScope, certNo: "-2-3")
        #expect(try runCertcycle(["import", "in", db], in: tmp.path).status == 0)
        let run = try runCertcycle(["run", "--as-of", "2026-06-30", "--notices", "notices", db], in: tmp.path)
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try String(contentsOfFile: tmp.path("notices/2026-06-30/obligations.csv"), encoding: .utf8)
        #expect(csv.contains(",监督审查,'-2-3,"))
        #expect(csv.contains(#""'=HYPERLINK(""http://example.invalid"",""点击"")""#))
        #expect(Self.fieldsStartingWith(["=", "+", "@"], in: csv).isEmpty)
    }

    @Test("import of a cell with a NUL byte exits 65 with FILE:LINE: column and changes nothing")
    func nulImport() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        try Self.writeRegister(tmp.path("good"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "good", db], in: tmp.path).status == 0)
        try Self.writeRegister(tmp.path("bad"), nameCell: "AB\u{0}CD")
        let imported = try runCertcycle(["import", "bad", db], in: tmp.path)
        #expect(imported.status == 65)
        #expect(imported.stderr.hasPrefix("organizations.csv:2: column name: contains the control character U+0000 (NUL) at character 3;"))
        #expect(try runCertcycle(["export", "out", db], in: tmp.path).status == 0)
        #expect(try String(contentsOfFile: tmp.path("out/organizations.csv"), encoding: .utf8).contains("ORG-1,杭州恒达,"))
    }

    /// Today in Asia/Shanghai (the default time zone), as `certcycle run` reads it.
    static func today(plus days: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let date = calendar.date(byAdding: .day, value: days, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test("run --as-of 9999-12-31 is refused (64) unless --allow-future; a register run ahead stops the run (78) naming the rollback, which repairs it")
    func farFutureRun() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let options = ["--db=sqlite:\(tmp.path("reg.sqlite"))", "--notices=notices"]
        try Self.writeRegister(tmp.path("in"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "in", options[0]], in: tmp.path).status == 0)

        let refused = try runCertcycle(["run", "--as-of", "9999-12-31"] + options, in: tmp.path)
        #expect(refused.status == 64)
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("--allow-future"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("notices/9999-12-31")))
        #expect(try runCertcycle(["run", "--as-of", Self.today(plus: 1), "--dry-run"] + options, in: tmp.path).status == 0, "tomorrow is allowed")

        let ahead = try runCertcycle(["run", "--as-of", "9999-12-31", "--allow-future"] + options, in: tmp.path)
        #expect(ahead.status == 0, "\(ahead.stderr)")
        let stopped = try runCertcycle(["run"] + options, in: tmp.path)
        #expect(stopped.status == 78)
        #expect(stopped.stderr.split(separator: "\n").count == 1)
        #expect(stopped.stderr.contains("`certcycle ledger rollback --after \(Self.today(plus: 1))`"), "\(stopped.stderr)")

        // The rollback asks first: with no answer it changes nothing.
        let unanswered = try runCertcycle(["ledger", "rollback", "--after", Self.today(plus: 1)] + options, in: tmp.path)
        #expect(unanswered.status == 64)
        #expect(unanswered.stderr.contains("nothing changed"))
        #expect(FileManager.default.fileExists(atPath: tmp.path("notices/9999-12-31")))
        #expect(try runCertcycle(["ledger", "rollback", "--after", Self.today(plus: -1), "--yes"] + options, in: tmp.path).status == 64,
                "days that have come are not rolled back")

        let rolledBack = try runCertcycle(["ledger", "rollback", "--after", Self.today(plus: 1), "--yes"] + options, in: tmp.path)
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("notices/9999-12-31")))
        #expect(FileManager.default.fileExists(atPath: tmp.path("notices/9999-12-31.rolled-back-1/digest.html")))
        #expect(try runCertcycle(["ledger", "verify"] + options, in: tmp.path).status == 0)

        let resumed = try runCertcycle(["run"] + options, in: tmp.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(FileManager.default.fileExists(atPath: tmp.path("notices/\(Self.today())/digest.html")))
        let verified = try runCertcycle(["ledger", "verify"] + options, in: tmp.path)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    // MARK: Smaller attacks

    @Test("a secret file every user can read stops the command with 78 naming the file; 0600 and 0640 are accepted")
    func worldReadableSecret() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(toFile: tmp.path("hook.secret"), atomically: true, encoding: .utf8)
        try """
            [[endpoints]]
            name = "directory"
            url = "http://127.0.0.1:9/hook"
            secret_file = "hook.secret"
            """.write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
        let options = ["--config", tmp.path("certcycle.toml"), "--db=sqlite:\(tmp.path("reg.sqlite"))"]
        // A register to publish from (commands that only read never make one).
        try Self.writeRegister(tmp.path("in"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "in", options[2]], in: tmp.path).status == 0)
        chmod(tmp.path("hook.secret"), 0o644)
        let refused = try runCertcycle(["publish", "--wait", "0"] + options, in: tmp.path)
        #expect(refused.status == 78)
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains(tmp.path("hook.secret")) && refused.stderr.contains("readable by every user"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("MfKQ9r8"))
        for mode: mode_t in [0o600, 0o640] {
            chmod(tmp.path("hook.secret"), mode)
            let accepted = try runCertcycle(["publish", "--wait", "0"] + options, in: tmp.path)
            #expect(accepted.status == 0, "mode \(String(mode, radix: 8)): \(accepted.stderr)")
        }
    }

    @Test("time zones are IANA names only: CST, EST and GMT+8 are refused (78); Asia/Shanghai, UTC and Etc/GMT-8 are read",
          arguments: [("CST", false), ("EST", false), ("GMT+8", false), ("PRC", false), ("Asia/Shanghai", true), ("UTC", true), ("Etc/GMT-8", true)])
    func ianaTimeZonesOnly(_ zone: String, _ accepted: Bool) throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        try "timezone = \"\(zone)\"\n".write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
        try Self.writeRegister(tmp.path("in"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "in", "--db=sqlite:\(tmp.path("reg.sqlite"))"], in: tmp.path).status == 0)
        let result = try runCertcycle(["status", "--config", tmp.path("certcycle.toml"), "--db=sqlite:\(tmp.path("reg.sqlite"))"], in: tmp.path)
        if accepted {
            #expect(result.status == 0, "\(result.stderr)")
        } else {
            #expect(result.status == 78)
            #expect(result.stderr.contains("IANA") && result.stderr.contains("Asia/Shanghai"), "\(result.stderr)")
        }
    }

    @Test("calendar add-working-days with a huge N is a usage error at once, not a hang")
    func hugeWorkingDayCount() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let started = Date()
        let result = try runCertcycle(["calendar", "add-working-days", "2026-02-13", "9223372036854775807"], in: tmp.path)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(result.status == 64)
        #expect(result.stderr.contains("at most 100000"), "\(result.stderr)")
        #expect(try runCertcycle(["calendar", "add-working-days", "2026-02-13", "100000"], in: tmp.path).status == 0)
    }

    @Test("a negative headcount, score or deduction count is refused by name, not as a missing value")
    func negativeNumbers() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let employees = try runCertcycle(["mandays", "--employees", "-1", "--audit", "initial"], in: tmp.path)
        #expect(employees.status == 64)
        #expect(employees.stderr.contains("--employees must be at least 1") && !employees.stderr.contains("Missing value"), "\(employees.stderr)")
        let deductions = try runCertcycle(["evaluate", "--score", "90", "--deductions", "-2"], in: tmp.path)
        #expect(deductions.status == 64 && deductions.stderr.contains("--deductions must be 0 or more"), "\(deductions.stderr)")
    }

    @Test("terminal escape sequences in register names are shown, not run, by scan and show tables; JSONL keeps them JSON-escaped")
    func terminalEscapes() throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        try Self.writeRegister(tmp.path("in"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "in", db], in: tmp.path).status == 0)
        // Import refuses control characters now; a register may still hold them from before.
        let tamper = try runProcess("/usr/bin/sqlite3", [tmp.path("reg.sqlite"),
            "UPDATE organizations SET name = '杭州' || char(27) || ']8;;http://example.invalid' || char(7) || '恒达' || char(27) || '[2J' WHERE org_id = 'ORG-1';"
            + "UPDATE certificates SET scope = '家电' || char(8238) || '修维' || char(155) || '31m' WHERE cert_no = 'CAS-1';"], in: tmp.path)
        #expect(tamper.status == 0, "\(tamper.stderr)")

        for command in [["scan", "--as-of", "2026-06-30"], ["status", "--as-of", "2026-06-30"], ["show", "CAS-1", "--as-of", "2026-06-30"]] {
            let result = try runCertcycle(command + [db], in: tmp.path)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0.value == 0x202E },
                    "\(command) printed a control character")
            if command[0] != "status" { #expect(result.stdout.contains("杭州^[]8;;http://example.invalid^G恒达^[[2J"), "\(command): \(result.stdout)") }
        }
        let show = try runCertcycle(["show", "CAS-1", "--as-of", "2026-06-30", db], in: tmp.path)
        #expect(show.stdout.contains("家电\u{FFFD}修维\u{FFFD}31m"))
        let jsonl = try runCertcycle(["scan", "--as-of", "2026-06-30", "--format", "jsonl", db], in: tmp.path)
        #expect(jsonl.stdout.contains(#""organization_name":"杭州\u001b]8;;http://example.invalid\u0007恒达\u001b[2J""#), "\(jsonl.stdout)")
    }

    @Test("an unwritable notices folder stops run with one line and exit 78 before anything is written",
          arguments: ["/sys/kernel", "/sys/kernel/certcycle-notices"])
    func unwritableNotices(_ folder: String) throws {
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        try Self.writeRegister(tmp.path("in"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "in", db], in: tmp.path).status == 0)
        let run = try runCertcycle(["run", "--as-of", "2026-06-30", "--notices", folder, db], in: tmp.path)
        #expect(run.status == 78)
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("the notices folder \(folder)"), "\(run.stderr)")
        // Nothing was recorded: the same day runs in full once the folder is fixed.
        let fixed = try runCertcycle(["run", "--as-of", "2026-06-30", "--notices", "notices", db], in: tmp.path)
        #expect(fixed.status == 0 && fixed.stdout.contains("2026-06-30: "), "\(fixed.stdout)\(fixed.stderr)")
    }

    @Test("a register that cannot be written stops run with exit 78 before any notice is written (it used to write the notices, then fail)")
    func unwritableRegister() throws {
        guard getuid() == 0 else { return } // needs to run the child as another user; root ignores file modes
        let tmp = try TemporaryFolder("hard")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("data/reg.sqlite"))"
        try FileManager.default.createDirectory(atPath: tmp.path("data"), withIntermediateDirectories: true)
        try Self.writeRegister(tmp.path("in"), nameCell: "杭州恒达")
        #expect(try runCertcycle(["import", "in", db], in: tmp.path).status == 0)
        // The folder (lock file, WAL) and the notices are the run user's; the register file is root's, 0644.
        try FileManager.default.createDirectory(atPath: tmp.path("notices"), withIntermediateDirectories: true)
        for path in [tmp.path(""), tmp.path("data"), tmp.path("notices")] { chown(path, 65534, 65534) }
        chmod(tmp.path("data/reg.sqlite"), 0o644)
        let run = try runProcess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", certcycleExecutable(),
                                                      "run", "--as-of", "2026-06-30", "--notices", tmp.path("notices"), db], in: tmp.path)
        #expect(run.status == 78, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("cannot be written"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("notices")).isEmpty, "no notice folder, not even a .tmp one")
    }
}
