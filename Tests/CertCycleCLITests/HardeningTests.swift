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
        #expect(csv.contains("\r\n'-2-3,certificate,surveillance,"))
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
}
