import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleTestSupport
import Foundation
import Testing

let shippedLayout = try! ReportLayout.load(jobs: shippedJobs.directory)

/// The counts the register implies for `month`, worked out without `MonthlyReport`: audits and
/// cycle decisions straight from the records, status changes from `status` run on every day of
/// the month against the day before.
private func independentCounts(_ fixture: RunFixture, month: ReportMonth) throws -> (issued: Int, renewed: Int, changes: Int, audits: Int, orgs: Set<String>) {
    var issued = 0, renewed = 0, audits = 0
    var orgs: Set<String> = []
    var orgOf: [String: String] = [:]
    try fixture.register.forEachCertificate { file in
        orgOf[file.certificate.certNo] = file.certificate.orgId
        for audit in file.audits {
            if audit.onsiteEnd >= month.first, audit.onsiteEnd <= month.last {
                audits += 1
                orgs.insert(file.certificate.orgId)
            }
            if audit.kind.startsCycle, let decided = audit.decisionDate, decided >= month.first, decided <= month.last,
               audit.evaluation?.passes == true {
                if audit.kind == .initial { issued += 1 } else { renewed += 1 }
                orgs.insert(file.certificate.orgId)
            }
        }
    }
    let scan = RegisterScan(register: fixture.register, rules: shippedJobs.rules)
    var before: [String: PublicState] = [:]
    try scan.forEachState(on: month.first.addingDays(-1)) { s, _ in before[s.certificate] = s }
    var changes = 0
    var date = month.first
    while date <= month.last {
        var today: [String: PublicState] = [:]
        try scan.forEachState(on: date) { s, _ in today[s.certificate] = s }
        for (cert, now) in today {
            guard let was = before[cert] else { continue } // issued: the first sheet's
            let statusChanged = was.status != now.status
            let renewal = !statusChanged && was.validThrough != now.validThrough
            // Back in force after expiry or withdrawal is a renewal (a new cycle), like a new validity.
            let reissued = statusChanged && now.status == .active && was.status != .suspended
            if (statusChanged && !reissued) || (!statusChanged && !renewal && (was.scope != now.scope || was.star != now.star)) {
                changes += 1
                orgs.insert(orgOf[cert]!)
            }
        }
        before = today
        date = date.addingDays(1)
    }
    return (issued, renewed, changes, audits, orgs)
}

/// Runs python3 with `script` and the arguments; its standard output.
private func python(_ script: String, _ arguments: [String], in folder: TemporaryFolder) throws -> String {
    let path = folder.path("check-\(UUID().uuidString).py")
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try runProcess("/usr/bin/env", ["python3", path] + arguments, in: folder.url.path)
    #expect(result.status == 0, "python3 failed: \(result.stderr)")
    return result.stdout
}

@Suite("monthly report to CNCA (RULES §10)")
struct MonthlyReportTests {
    @Test("the workbook opens in openpyxl and LibreOffice with the four sheets of the layout and the counts the register implies")
    func workbookHoldsWhatTheRegisterImplies() throws {
        let fixture = try RunFixture(certificates: 400, seed: 21, around: "2026-06-30")
        defer { fixture.cleanUp() }
        // A hostile organisation name on a certificate the month concerns: it must stay text.
        var hostileOrg: String?
        try fixture.register.forEachCertificate { file in
            if hostileOrg == nil, file.audits.contains(where: { $0.onsiteEnd.description.hasPrefix("2026-05") }) { hostileOrg = file.certificate.orgId }
        }
        let org = try #require(hostileOrg)
        try fixture.add(["organizations.csv": "org_id,name,address,credit_code,employees,contact_email\n\(org),\"=HYPERLINK(\"\"http://x\"\",\"\"点\"\")\",\"杭州市 <b>&\",,40,\n"])

        let month = ReportMonth(parsing: "2026-05")!
        let writer = MonthlyReportWriter(register: fixture.register, jobs: shippedJobs, layout: shippedLayout, holder: "test")
        let result = try writer.write(month: month, generatedOn: day("2026-06-03"), notices: NoticeFolderWriter(root: fixture.noticesRoot), outDirectory: nil)
        #expect(result.folder == fixture.noticesRoot + "/reports/2026-05")
        #expect(result.files == ["CNCA-monthly-2026-05.xlsx", "CNCA-monthly-2026-05-证书信息.csv", "CNCA-monthly-2026-05-证书状态变更.csv",
                                 "CNCA-monthly-2026-05-审核活动.csv", "CNCA-monthly-2026-05-获证组织.csv"])

        let expected = try independentCounts(fixture, month: month)
        #expect(result.counts.issued == expected.issued)
        #expect(result.counts.renewed == expected.renewed)
        #expect(result.counts.statusChanges == expected.changes)
        #expect(result.counts.audits == expected.audits)
        #expect(result.counts.organizations == expected.orgs.count)
        #expect(expected.issued + expected.renewed > 3 && expected.changes > 3 && expected.audits > 10, "the register must exercise every sheet: \(expected)")

        // openpyxl: sheet names, headers, row counts, the hostile name as a string, numbers as numbers.
        let xlsx = result.folder + "/" + result.files[0]
        let read = try python("""
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            out = {}
            for ws in wb.worksheets:
                rows = list(ws.iter_rows(values_only=True))
                out[ws.title] = {"header": list(rows[0]), "rows": len(rows) - 1,
                                 "types": sorted({type(v).__name__ for r in rows[1:] for v in r if v is not None}),
                                 "formulas": sum(1 for r in ws.iter_rows() for c in r if c.data_type == "f"),
                                 "texts": [v for r in rows[1:] for v in r if isinstance(v, str)]}
            print(json.dumps(out, ensure_ascii=False))
            """, [xlsx], in: fixture.folder)
        let sheets = try #require(try JSONSerialization.jsonObject(with: Data(read.utf8)) as? [String: [String: Any]])
        #expect(Set(sheets.keys) == ["证书信息", "证书状态变更", "审核活动", "获证组织"])
        for sheet in shippedLayout.sheets {
            let s = try #require(sheets[sheet.name])
            #expect(s["header"] as? [String] == sheet.columns.map(\.title), "\(sheet.name)")
            #expect(s["formulas"] as? Int == 0, "\(sheet.name)")
        }
        #expect(sheets["证书信息"]?["rows"] as? Int == expected.issued + expected.renewed)
        #expect(sheets["证书状态变更"]?["rows"] as? Int == expected.changes)
        #expect(sheets["审核活动"]?["rows"] as? Int == expected.audits)
        #expect(sheets["获证组织"]?["rows"] as? Int == expected.orgs.count)
        #expect((sheets["审核活动"]?["types"] as? [String])?.contains("float") == true || (sheets["审核活动"]?["types"] as? [String])?.contains("int") == true)
        #expect((sheets["获证组织"]?["texts"] as? [String])?.contains(#"=HYPERLINK("http://x","点")"#) == true)
        #expect((sheets["获证组织"]?["texts"] as? [String])?.contains("杭州市 <b>&") == true)

        // LibreOffice, headless: every sheet converted to CSV and read back.
        let converted = fixture.folder.path("lo")
        try FileManager.default.createDirectory(atPath: converted, withIntermediateDirectories: true)
        let lo = try runProcess("/usr/bin/env", ["soffice", "--headless", "-env:UserInstallation=file://" + fixture.folder.path("lo-profile"),
                                                 "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                                                 "--outdir", converted, xlsx], in: fixture.folder.url.path, environment: ["HOME": fixture.folder.url.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"])
        #expect(lo.status == 0, "soffice: \(lo.stderr)")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: converted).sorted()
        #expect(outputs.count == 4, "LibreOffice wrote \(outputs): \(lo.stdout) \(lo.stderr)")
        for sheet in shippedLayout.sheets {
            let name = try #require(outputs.first { $0.contains(sheet.name) }, "no CSV for \(sheet.name) in \(outputs)")
            let text = try String(contentsOfFile: converted + "/" + name, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.first.map(String.init)?.hasPrefix(sheet.columns[0].title) == true, "\(sheet.name): \(lines.first ?? "")")
            let rows = sheets[sheet.name]?["rows"] as? Int ?? -1
            // Rows may hold line breaks inside quotes only in the scope columns; count records by cert/org id prefix instead.
            #expect(lines.count >= rows + 1, "\(sheet.name): \(lines.count) lines for \(rows) rows")
        }

        // The CSVs: BOM, header, one line per row, formula-safe.
        let bytes = try #require(FileManager.default.contents(atPath: result.folder + "/" + result.files[4]))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let csv = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(csv.hasPrefix("组织名称,"))
        #expect(csv.contains(#""'=HYPERLINK(""http://x"",""点"")""#))

        // Recorded in the ledger, with the files' hashes; the verifier finds nothing wrong.
        let entry = try #require(try fixture.register.lastLedgerEntry(kind: .report))
        #expect(entry.key == "monthly:2026-05#1")
        #expect(entry.asOf == day("2026-06-03"))
        #expect(entry.payload.contains("\"sha256\""))
        let verified = try fixture.verify()
        #expect(verified.problems.isEmpty, "\(verified.problems)")
    }

    @Test("the same register and day give the same bytes; a second report on the month gets its own folder and record")
    func reproducibleAndNeverOverwritten() throws {
        let fixture = try RunFixture(certificates: 60, seed: 4, around: "2026-06-30")
        defer { fixture.cleanUp() }
        let writer = MonthlyReportWriter(register: fixture.register, jobs: shippedJobs, layout: shippedLayout, holder: "test")
        let notices = NoticeFolderWriter(root: fixture.noticesRoot)
        let month = ReportMonth(parsing: "2026-04")!
        let first = try writer.write(month: month, generatedOn: day("2026-05-06"), notices: notices, outDirectory: nil)
        let second = try writer.write(month: month, generatedOn: day("2026-05-06"), notices: notices, outDirectory: nil)
        #expect(second.folder == fixture.noticesRoot + "/reports/2026-04-2")
        #expect(second.ledgerKey == "monthly:2026-04#2")
        for name in first.files {
            #expect(FileManager.default.contents(atPath: first.folder + "/" + name) == FileManager.default.contents(atPath: second.folder + "/" + name), "\(name)")
        }
        // --out: into a folder of the caller's.
        let out = fixture.folder.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let third = try writer.write(month: month, generatedOn: day("2026-05-06"), notices: notices, outDirectory: out)
        #expect(third.folder == out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == third.files.sorted())
        #expect(try fixture.verify().problems.isEmpty)
        // Rolled back: the records go, the report folders are set aside, the ledger verifies.
        let rollback = LedgerRollback(register: fixture.register, notices: notices)
        let outcome = try rollback.apply(after: day("2026-05-05"), holder: "test")
        #expect(outcome.movedFolders.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() == ["2026-04-2.rolled-back-1", "2026-04.rolled-back-1"])
        let verified = try fixture.verify()
        #expect(verified.problems.isEmpty, "\(verified.problems)")
        #expect(try fixture.register.lastLedgerEntry(kind: .report) == nil)
    }

    @Test("a month that has not ended cannot be reported on")
    func monthMustHaveEnded() throws {
        let fixture = try RunFixture(certificates: 10, seed: 4, around: "2026-06-30")
        defer { fixture.cleanUp() }
        let writer = MonthlyReportWriter(register: fixture.register, jobs: shippedJobs, layout: shippedLayout, holder: "test")
        #expect(throws: RunnerError.self) {
            _ = try writer.write(month: ReportMonth(parsing: "2026-06")!, generatedOn: day("2026-06-30"),
                                 notices: NoticeFolderWriter(root: fixture.noticesRoot), outDirectory: nil)
        }
        #expect(try fixture.register.lastLedgerEntry(kind: .report) == nil)
    }

    @Test("regulator_report: tracked from the first night, due on the 10th without holiday extension, fulfilled by the report")
    func regulatorReportObligation() throws {
        let fixture = try RunFixture(certificates: 20, seed: 3, around: "2026-06-30")
        defer { fixture.cleanUp() }
        let scan = RegisterScan(register: fixture.register, rules: shippedJobs.rules)
        func body(_ date: String) throws -> [Obligation] { try scan.bodyObligations(on: day(date)) }
        // Before any run, nothing is tracked.
        #expect(try body("2026-06-05").isEmpty)
        _ = try fixture.nightly().run(asOf: day("2026-06-04"))
        let due = try body("2026-06-05")
        #expect(due.map(\.subject) == ["2026-05"])
        #expect(due.first?.subjectType == .body)
        #expect(due.first?.stage == .due)
        #expect(due.first?.opens == day("2026-06-01"))
        #expect(due.first?.due == day("2026-06-10"))
        #expect(try body("2026-06-10").first?.stage == .due)
        #expect(try body("2026-06-11").first?.stage == .overdue)
        // The next month's appears on its 1st, the unmade one stays.
        #expect(try body("2026-07-01").map { "\($0.subject) \($0.stage.rawValue)" } == ["2026-05 overdue", "2026-06 due"])
        // Made on 2026-06-08: fulfilled from that day, not before.
        let writer = MonthlyReportWriter(register: fixture.register, jobs: shippedJobs, layout: shippedLayout, holder: "test")
        _ = try writer.write(month: ReportMonth(parsing: "2026-05")!, generatedOn: day("2026-06-08"), notices: NoticeFolderWriter(root: fixture.noticesRoot), outDirectory: nil)
        #expect(try body("2026-06-07").map(\.subject) == ["2026-05"])
        #expect(try body("2026-06-08").isEmpty)
        #expect(try body("2026-07-01").map(\.subject) == ["2026-06"])
        // It shows in scan's JSONL as the body's, and the nightly digest lists it without a letter.
        let line = ObligationOutput.jsonLine(try body("2026-07-01")[0], asOf: day("2026-07-01"), organizationName: nil)
        #expect(line.hasPrefix(#"{"subject":"2026-06","subject_type":"body","kind":"regulator_report","stage":"due","opens":"2026-07-01","due":"2026-07-10","escalation":"none","escalation_by":null,"clause":"9.3.4""#))
        // `certcycle explain --body` explains exactly those, step by step.
        let explained = try RegisterExplainer(register: fixture.register, rules: shippedJobs.rules, on: day("2026-07-01")).body()
        #expect(explained.map(\.obligation) == (try body("2026-07-01")))
        #expect(explained.first?.steps.map(\.text) == ["报告月份 2026-06 的次月 1 日 2026-07-01 起可报送", "报送期限为次月 10 日 2026-07-10，节假日不顺延",
                                                       "2026-07-01 在 2026-07-01 至 2026-07-10 之间：进行中，剩 9 天"])
    }

    @Test("a register adopted after the 10th tracks from the next month's report; National Day does not move the 10 October date")
    func regulatorReportDates() {
        let rules = shippedJobs.rules
        let late = rules.regulatorReports(on: day("2026-12-20"), trackedSince: day("2026-12-15"), generated: [:])
        #expect(late.isEmpty)
        #expect(rules.regulatorReports(on: day("2027-01-01"), trackedSince: day("2026-12-15"), generated: [:]).map(\.subject) == ["2026-12"])
        let september = rules.regulatorReports(on: day("2026-10-11"), trackedSince: day("2026-10-01"), generated: [:])
        #expect(september.map { "\($0.subject) \($0.due) \($0.stage.rawValue)" } == ["2026-09 2026-10-10 overdue"])
        // A report more than a year overdue is no longer listed.
        let years = rules.regulatorReports(on: day("2028-06-15"), trackedSince: day("2026-10-01"), generated: [:])
        #expect(years.first?.subject == "2027-06" && years.last?.subject == "2028-05" && years.count == 12)
        // December's report is due on 10 January of the next year.
        #expect(CertificationRules.reportDue(ReportMonth(parsing: "2026-12")!) == day("2027-01-10"))
    }
}
