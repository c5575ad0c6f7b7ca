import CertCycleCore
import Testing

@Suite("monthly report rows (RULES §10)")
struct MonthlyReportRowTests {
    private func rows(_ file: CertificateFile, month: String) -> (rows: [ReportSheet: [ReportRow]], report: MonthlyReport) {
        var report = MonthlyReport(month: ReportMonth(parsing: month)!, settings: rules.settings)
        var rows: [ReportSheet: [ReportRow]] = [:]
        report.add(CertificateHistory(file)) { sheet, row in rows[sheet, default: []].append(row) }
        return (rows, report)
    }

    @Test("a month parses only as YYYY-MM and steps over year ends; February's last day in a leap year")
    func reportMonth() {
        #expect(ReportMonth(parsing: "2026-11")?.description == "2026-11")
        for bad in ["2026-1", "2026-13", "26-11", "2026-11-01", "２０２６-11", ""] { #expect(ReportMonth(parsing: bad) == nil, "\(bad)") }
        #expect(ReportMonth(parsing: "2026-12")!.next.description == "2027-01")
        #expect(ReportMonth(parsing: "2027-01")!.previous.description == "2026-12")
        #expect(ReportMonth(parsing: "2028-02")!.last == d("2028-02-29"))
        #expect(ReportMonth(parsing: "2027-02")!.last == d("2027-02-28"))
    }

    @Test("an initial decision in the month is an issue, a recertification a renewal; a decision on the month's last day counts, the next day's does not")
    func issuesAndRenewals() {
        let file = certificateFile(decided: "2024-02-29", onsiteEnd: "2024-02-20") { f in
            f.audits.append(audit("A-S1", .surveillance, end: "2024-11-30"))
            f.audits.append(audit("A-S2", .surveillance, end: "2025-11-10"))
            f.audits.append(audit("A-RE", .recertification, end: "2027-01-20", decided: "2027-02-01"))
        }
        let feb = rows(file, month: "2024-02")
        #expect(feb.rows[.certificates]?.count == 1)
        #expect(feb.rows[.certificates]?.first?["issue_type"] == .text("初次认证"))
        // 2024-02-29 + 3 years clamps to 2027-02-28; the day before is the last valid day.
        #expect(feb.rows[.certificates]?.first?["valid_through"] == .text("2027-02-27"))
        #expect(feb.report.counts.issued == 1 && feb.report.counts.renewed == 0)
        #expect(feb.rows[.audits]?.map { $0["audit_id"] } == [.text("A-INIT")])
        let renewal = rows(file, month: "2027-02")
        #expect(renewal.rows[.certificates]?.first?["issue_type"] == .text("再认证"))
        #expect(renewal.report.counts.renewed == 1)
        // The surveillance audit ended on 30 November: November's, not December's.
        #expect(rows(file, month: "2024-11").rows[.audits]?.first?["kind"] == .text("监督审查"))
        #expect(rows(file, month: "2024-12").rows[.audits] == nil)
        #expect(rows(file, month: "2024-11").report.organizations == ["ORG-1": ["CAS-2024-0001"]])
    }

    @Test("status changes: suspension and restoration in the month, with the clause; a month with none concerns no organisation")
    func statusChanges() {
        let file = certificateFile { f in
            f.suspensions.append(Suspension(id: "S-1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2025-03-12"), liftedOn: d("2025-03-31")))
        }
        let march = rows(file, month: "2025-03")
        #expect(march.rows[.statusChanges]?.map { $0["change"] } == [.text("暂停证书"), .text("恢复证书")])
        #expect(march.rows[.statusChanges]?.map { $0["date"] } == [.text("2025-03-12"), .text("2025-03-31")])
        #expect(march.rows[.statusChanges]?.first?["previous_status"] == .text("有效"))
        #expect(march.rows[.statusChanges]?.first?["status"] == .text("暂停"))
        let april = rows(file, month: "2025-04")
        #expect(april.rows.isEmpty && april.report.organizations.isEmpty)
    }

    @Test("every field a sheet offers is filled or empty, never missing from the layout's reach")
    func fieldsAreKnown() {
        let file = certificateFile()
        let all = rows(file, month: "2024-03").rows
        for (sheet, list) in all {
            for row in list { #expect(Set(row.values.keys).isSubset(of: Set(sheet.fields)), "\(sheet)") }
        }
        let org = MonthlyReport.organizationRow(id: "ORG-1", organization: file.organization, certificates: ["CAS-2024-0001"])
        #expect(Set(org.values.keys).isSubset(of: Set(ReportSheet.organizations.fields)))
        #expect(org["employees"] == .number(120))
    }
}
