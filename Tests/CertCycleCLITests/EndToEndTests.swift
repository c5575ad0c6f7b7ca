import CertCycleTestSupport
import Foundation
import Testing

/// The built `certcycle`, run as cron would run it, on a real SQLite file.
@Suite("certcycle end to end", .serialized)
struct EndToEndTests {
    static let scanKeys = ["subject", "subject_type", "kind", "stage", "opens", "due", "escalation", "escalation_by", "clause", "provisional"]
    static let statusKeys = ["certificate", "status", "since", "star", "scope", "valid_through"]

    /// Parses one JSONL line and checks that `keys` come first, in that order.
    func object(_ line: String, keys: [String]) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        var last = line.startIndex
        for key in keys {
            let range = try #require(line.range(of: "\"\(key)\":"), "missing \(key) in \(line)")
            #expect(range.lowerBound >= last, "\(key) out of order in \(line)")
            last = range.lowerBound
        }
        return object
    }

    @Test("generate, import, scan and status on a generated register give the contract's JSONL")
    func generatedRegister() throws {
        let tmp = try TemporaryFolder("e2e")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        let generated = try runCertcycle(["generate", "--certificates", "400", "--seed", "3", "--around", "2026-06-30", "--out", "register"], in: tmp.path)
        #expect(generated.status == 0, "\(generated.stderr)")
        let imported = try runCertcycle(["import", "register", db], in: tmp.path)
        #expect(imported.status == 0, "\(imported.stderr)")

        let scan = try runCertcycle(["scan", "--as-of", "2026-06-30", "--format", "jsonl", db], in: tmp.path)
        #expect(scan.status == 0, "\(scan.stderr)")
        let lines = scan.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count > 50)
        var kinds = Set<String>()
        var stages = Set<String>()
        for line in lines {
            let o = try object(line, keys: Self.scanKeys)
            let stage = try #require(o["stage"] as? String)
            let escalation = try #require(o["escalation"] as? String)
            kinds.insert(try #require(o["kind"] as? String))
            stages.insert(stage)
            #expect(["certificate", "appeal", "application"].contains(o["subject_type"] as? String))
            #expect(["suspend", "withdraw", "expire", "none"].contains(escalation))
            let hasDeadline = !(o["escalation_by"] is NSNull)
            #expect(hasDeadline == (stage == "overdue" && (escalation == "suspend" || escalation == "withdraw")), "\(line)")
            #expect(o["provisional"] as? Bool == false)
            let opens = try #require(o["opens"] as? String)
            let due = try #require(o["due"] as? String)
            #expect(opens <= due)
            switch stage {
            case "upcoming": #expect("2026-06-30" < opens)
            case "due": #expect(opens <= "2026-06-30" && "2026-06-30" <= due)
            default: #expect(due < "2026-06-30")
            }
        }
        #expect(stages == ["upcoming", "due", "overdue"])
        #expect(kinds.contains("surveillance") && kinds.contains("corrective_action"))

        let csv = try runCertcycle(["scan", "--as-of", "2026-06-30", "--format", "csv", db], in: tmp.path)
        #expect(csv.stdout.hasPrefix("\u{FEFF}subject,subject_type,kind,"))
        #expect(csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == lines.count + 1)
        let table = try runCertcycle(["scan", "--as-of", "2026-06-30", db], in: tmp.path)
        #expect(table.stdout.hasPrefix("2026-06-30 的待办事项：\(lines.count) 项"))

        let status = try runCertcycle(["status", "--as-of", "2026-06-30", "--format", "jsonl", db], in: tmp.path)
        #expect(status.status == 0)
        var statuses = Set<String>()
        for line in status.stdout.split(separator: "\n").map(String.init) {
            let s = try object(line, keys: Self.statusKeys)
            statuses.insert(try #require(s["status"] as? String))
            #expect(try #require(s["since"] as? String) <= "2026-06-30")
            #expect(["five_star", "none"].contains(s["star"] as? String))
        }
        #expect(statuses == ["active", "suspended", "withdrawn", "expired"])
    }

    @Test("scan and status on the fixture register: exact JSONL")
    func fixtureRegister() throws {
        let tmp = try TemporaryFolder("e2e")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        let fixture = packageRoot.appendingPathComponent("Tests/CertCycleRegisterTests/Fixtures/good-register").path
        #expect(try runCertcycle(["import", fixture, db], in: tmp.path).status == 0)
        let scan = try runCertcycle(["scan", "--as-of", "2026-02-21", "--format", "jsonl", db], in: tmp.path)
        if let diff = goldenMismatch(scan.stdout, file: "Tests/CertCycleCLITests/Golden/scan-2026-02-21.jsonl") {
            Issue.record(Comment(rawValue: diff))
        }
        let status = try runCertcycle(["status", "--as-of", "2026-02-21", "--format", "jsonl", db], in: tmp.path)
        if let diff = goldenMismatch(status.stdout, file: "Tests/CertCycleCLITests/Golden/status-2026-02-21.jsonl") {
            Issue.record(Comment(rawValue: diff))
        }
        let show = try runCertcycle(["show", "CAS-2024-0001", "--as-of", "2026-02-21", db], in: tmp.path)
        if let diff = goldenMismatch(show.stdout, file: "Tests/CertCycleCLITests/Golden/show-CAS-2024-0001.txt") {
            Issue.record(Comment(rawValue: diff))
        }
        let explain = try runCertcycle(["explain", "CAS-2024-0001", "--as-of", "2026-02-21", db], in: tmp.path)
        #expect(explain.status == 0, "\(explain.stderr)")
        if let diff = goldenMismatch(explain.stdout, file: "Tests/CertCycleCLITests/Golden/explain-CAS-2024-0001.txt") {
            Issue.record(Comment(rawValue: diff))
        }
        // The JSON explains exactly the obligations scan lists for the certificate, each with steps.
        let json = try runCertcycle(["explain", "CAS-2024-0001", "--as-of", "2026-02-21", "--format", "json", db], in: tmp.path)
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let scanned = scan.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["subject"] as? String == "CAS-2024-0001" }
        #expect(items.map { "\($0["kind"]!)/\($0["due"]!)" }.sorted() == scanned.map { "\($0["kind"]!)/\($0["due"]!)" }.sorted())
        #expect(items.allSatisfy { (($0["steps"] as? [[String: Any]])?.count ?? 0) >= 2 })

        // An appeal's and an application's obligation alone; the body's own reports (none
        // before the register's first night); one subject at a time.
        let appeal = try runCertcycle(["explain", "--appeal", "APL-1", "--as-of", "2026-02-21", db], in: tmp.path)
        #expect(appeal.status == 0, "\(appeal.stderr)")
        #expect(appeal.stdout.hasPrefix("申诉 APL-1 在 2026-02-21 的待办事项及其日期的由来\n\n1. 申诉答复（第 10 条）：已逾期，开始 2025-11-20，期限 2026-01-19"))
        #expect(appeal.stdout.contains("申诉收到日 2025-11-20 加 60 日（日历日）为书面答复期限（第 10 条）"))
        let application = try runCertcycle(["explain", "--application", "APP-2", "--as-of", "2026-02-21", "--format", "json", db], in: tmp.path)
        let applicationItems = try #require(try JSONSerialization.jsonObject(with: Data(application.stdout.utf8)) as? [[String: Any]])
        #expect(applicationItems.map { $0["kind"] as? String } == ["application_notice"])
        let body = try runCertcycle(["explain", "--body", "--as-of", "2026-02-21", db], in: tmp.path)
        #expect(body.stdout == "本机构月度报告 在 2026-02-21 的待办事项及其日期的由来\n\n无待办事项。\n")
        let missing = try runCertcycle(["explain", "--appeal", "APL-404", "--as-of", "2026-02-21", db], in: tmp.path)
        #expect(missing.status == 64 && missing.stderr.contains("no open obligation of the appeal 'APL-404' on 2026-02-21"))
        #expect(try runCertcycle(["explain", "CAS-2024-0001", "--body", db], in: tmp.path).status == 64)
        #expect(try runCertcycle(["explain", db], in: tmp.path).status == 64)
    }

    @Test("exit codes: 65 for bad data, 78 for bad configuration, 64 for bad usage; each with one line saying what to do")
    func exitCodes() throws {
        let tmp = try TemporaryFolder("e2e")
        defer { tmp.cleanUp() }
        let db = "--db=sqlite:\(tmp.path("reg.sqlite"))"
        let bad = packageRoot.appendingPathComponent("Tests/CertCycleRegisterTests/Fixtures/bad-register").path
        let imported = try runCertcycle(["import", bad, db], in: tmp.path)
        #expect(imported.status == 65)
        #expect(imported.stderr.hasSuffix("import changed nothing: 30 problem(s) above; fix them and import again\n"))

        try "timezone = \"Nowhere/Else\"\n".write(toFile: tmp.path("bad.toml"), atomically: true, encoding: .utf8)
        let config = try runCertcycle(["scan", "--config", "bad.toml", db], in: tmp.path)
        #expect(config.status == 78)
        #expect(config.stderr.split(separator: "\n").count == 1)
        #expect(config.stderr.contains("bad.toml"))

        #expect(try runCertcycle(["scan", "--as-of", "2026-02-30", db], in: tmp.path).status == 64)
        #expect(try runCertcycle(["mandays", "--employees", "0", "--audit", "initial"], in: tmp.path).status == 64)
        #expect(try runCertcycle(["show", "NO-SUCH", db], in: tmp.path).status == 64)
        #expect(try runCertcycle(["scan", "--db", "mysql://x"], in: tmp.path).status == 78)
    }

    @Test("calendar add-working-days counts the official calendar and flags years without data")
    func calendar() throws {
        let tmp = try TemporaryFolder("e2e")
        defer { tmp.cleanUp() }
        let jobs = "--jobs=\(packageRoot.appendingPathComponent("Jobs").path)"
        #expect(try runCertcycle(["calendar", "add-working-days", "2026-02-13", "5", jobs], in: tmp.path).stdout == "2026-02-27\n")
        #expect(try runCertcycle(["calendar", "add-working-days", "2026年2月13日", "1", jobs], in: tmp.path).stdout == "2026-02-14\n")
        let provisional = try runCertcycle(["calendar", "add-working-days", "2026-12-31", "5", jobs], in: tmp.path)
        #expect(provisional.stdout == "2027-01-08 provisional (no calendar data for 2027: counted on the statutory holidays only, RULES §9)\n")
        let newYear = try runCertcycle(["calendar", "add-working-days", "2026-12-31", "1", jobs], in: tmp.path)
        #expect(newYear.stdout.hasPrefix("2027-01-04 provisional"))
        #expect(try runCertcycle(["calendar", "add-working-days", "2027-06-08", "1", jobs], in: tmp.path).stdout.hasPrefix("2027-06-10 provisional"))
        let status = try runCertcycle(["calendar", "status", "--as-of", "2026-12-02", jobs], in: tmp.path)
        #expect(status.status == 0)
        #expect(status.stdout.contains("2004–2026 (23 files"))
        #expect(status.stdout.contains("2027 provisional days off:"))
        #expect(status.stdout.contains("Jobs/calendars/2027.toml"))
    }

    @Test("mandays and evaluate print Appendix A and 6.5")
    func tools() throws {
        let tmp = try TemporaryFolder("e2e")
        defer { tmp.cleanUp() }
        let mandays = try runCertcycle(["mandays", "--employees", "1450", "--audit", "recertification", "--format", "json"], in: tmp.path)
        #expect(mandays.stdout == "{\"audit\":\"recertification\",\"employees\":1450,\"table\":7.5,\"initial_table\":11,\"reduction_floor\":5.25,\"initial_share_floor\":7.7,\"minimum\":7.7,\"required\":7.7,\"clause\":\"8.2\"}\n")
        let text = try runCertcycle(["mandays", "--employees", "10", "--audit", "surveillance"], in: tmp.path)
        if let diff = goldenMismatch(text.stdout, file: "Tests/CertCycleCLITests/Golden/mandays-10-surveillance.txt") {
            Issue.record(Comment(rawValue: diff))
        }
        #expect(try runCertcycle(["evaluate", "--score", "95", "--deductions", "4"], in: tmp.path).stdout
            == "pass: score 95 ≥ 70 with 4 deduction item(s) (< 5); five-star recommended (score ≥ 95) (6.5)\n")
        #expect(try runCertcycle(["evaluate", "--score", "88", "--deductions", "5"], in: tmp.path).stdout
            == "fail: 5 or more deduction items (6.5)\n")
    }

    @Test("--help of every command is stable")
    func help() throws {
        let tmp = try TemporaryFolder("e2e")
        defer { tmp.cleanUp() }
        var text = ""
        for command in [[], ["scan"], ["status"], ["import"], ["generate"], ["calendar", "add-working-days"]] {
            text += "$ certcycle \((command + ["--help"]).joined(separator: " "))\n"
            text += try runCertcycle(command + ["--help"], in: tmp.path).stdout + "\n"
        }
        if let diff = goldenMismatch(text, file: "Tests/CertCycleCLITests/Golden/help.txt") {
            Issue.record(Comment(rawValue: diff))
        }
    }
}
