import CertCycleCore
import Testing
@testable import CertCycleNotices

@Suite("output shapes: JSONL, CSV and tables")
struct OutputTests {
    let overdue = Obligation(
        subject: "CAS-2024-0001", subjectType: .certificate, kind: .surveillance, stage: .overdue,
        opens: CivilDate(year: 2025, month: 11, day: 20)!, due: CivilDate(year: 2026, month: 2, day: 20)!, escalation: .suspend,
        escalationBy: Dated(CivilDate(year: 2026, month: 2, day: 28)!), clause: "7.1", organization: "ORG-1", manDaysHundredths: 250
    )

    @Test("a scan line has the contract's fields first, in order, then the extras")
    func scanLine() {
        let line = ObligationOutput.jsonLine(overdue, asOf: CivilDate(year: 2026, month: 2, day: 21)!, organizationName: "杭州\"恒达\"")
        #expect(line == #"{"subject":"CAS-2024-0001","subject_type":"certificate","kind":"surveillance","stage":"overdue","opens":"2025-11-20","due":"2026-02-20","escalation":"suspend","escalation_by":"2026-02-28","clause":"7.1","provisional":false,"escalation_clause":"9.3.2.1(4)","record":null,"organization":"ORG-1","organization_name":"杭州\"恒达\"","days_remaining":-1,"man_days":2.5,"escalation_taken":null,"next_escalation":null,"next_escalation_from":null,"next_escalation_by":null}"#)
    }

    @Test("§8: a suspension already taken shows in JSONL (escalation_taken, the next step), the table, the scan CSV and the staff CSV; §4's values stay")
    func escalationTaken() {
        var taken = overdue
        taken.escalationTaken = CivilDate(year: 2026, month: 2, day: 10)!
        taken.nextStep = NextStep(escalation: .withdraw, from: CivilDate(year: 2026, month: 8, day: 10)!, by: nil, clause: "9.3.3.1(5)")
        let asOf = CivilDate(year: 2026, month: 2, day: 21)!
        let line = ObligationOutput.jsonLine(taken, asOf: asOf)
        #expect(line.contains(#""escalation":"suspend","escalation_by":"2026-02-28""#))
        #expect(line.hasSuffix(#""escalation_taken":"2026-02-10","next_escalation":"withdraw","next_escalation_from":"2026-08-10","next_escalation_by":null}"#))
        let row = ObligationOutput.tableRow(taken, asOf: asOf)
        #expect(row[7] == "已暂停（自 2026-02-10）")
        #expect(row[8] == "暂停期满 2026-08-10 后")
        #expect(ObligationOutput.csvRow(taken, asOf: asOf).last == "2026-02-10")
        let staff = ObligationOutput.staffCSVRow(DigestRow(obligation: taken, title: "监督审查", organizationName: nil, isNewStage: false), asOf: asOf)
        #expect(staff[10] == "已暂停，自 2026-02-10；下一步：撤销证书（第 9.3.3.1 条第（5）项）")
        #expect(staff[12] == "否")
        #expect(staff[13] == "2026-02-10")
    }

    @Test("a provisional escalation deadline says so in JSONL and in the table")
    func provisional() {
        var o = overdue
        o.escalationBy = Dated(CivilDate(year: 2027, month: 1, day: 7)!, provisional: true)
        let date = CivilDate(year: 2027, month: 1, day: 1)!
        #expect(ObligationOutput.jsonLine(o, asOf: date).contains(#""provisional":true"#))
        #expect(ObligationOutput.tableRow(o, asOf: date)[8] == "2027-01-07（暂定）")
    }

    @Test("JSON strings escape quotes, backslashes and control characters and keep Chinese as it is")
    func jsonEscaping() {
        #expect(JSONLine.quote("a\"b\\c\nd\u{01}中") == #""a\"b\\c\nd\u0001中""#)
    }

    @Test("table columns line up by display width: a Chinese character takes two columns")
    func tableWidths() {
        var table = TextTable(header: ["阶段", "对象"])
        table.append(["已逾期", "CAS-1"])
        table.append(["due", "CAS-22"])
        #expect(table.render() == "阶段    对象\n------  ------\n已逾期  CAS-1\ndue     CAS-22\n")
        #expect(TextTable.displayWidth("杭州ab") == 6)
    }

    @Test("days remaining read as days left or days overdue")
    func remaining() {
        #expect(ObligationOutput.tableRow(overdue, asOf: CivilDate(year: 2026, month: 2, day: 23)!)[6] == "逾期 3 天")
        #expect(ObligationOutput.tableRow(overdue, asOf: CivilDate(year: 2026, month: 2, day: 20)!)[6] == "剩 0 天")
    }
}

@Suite("SpreadsheetML cells")
struct SpreadsheetMLTests {
    @Test("text cells are inline strings: a formula stays text, markup is escaped, controls use the _xHHHH_ escape")
    func cellsAreText() {
        let row = SpreadsheetML.row([.text("=HYPERLINK(\"http://x\",\"点\")"), .number(2.5), .empty, .text("a\u{1}b\rc_x0041_")], number: 7)
        #expect(row == #"<row r="7"><c r="A7" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK("http://x","点")</t></is></c><c r="B7" s="2"><v>2.5</v></c><c r="D7" t="inlineStr"><is><t xml:space="preserve">a_x0001_b_x000D_c_x005F_x0041_</t></is></c></row>"#)
        #expect(SpreadsheetML.cellText("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;")
        #expect(SpreadsheetML.cellText(String(repeating: "证", count: 40_000)).count == SpreadsheetML.maxCellCharacters)
    }

    @Test("column names run A…Z, AA…; the workbook quotes sheet names in its filter ranges")
    func names() {
        #expect([1, 26, 27, 52, 703].map(SpreadsheetML.columnName) == ["A", "Z", "AA", "AZ", "AAA"])
        let workbook = SpreadsheetML.workbook([.init(name: "组织's", columns: 3, rows: 10)])
        #expect(workbook.contains("'组织''s'!$A$1:$C$11"))
        #expect(workbook.contains(#"<sheet name="组织's" sheetId="1" r:id="rId1"/>"#))
    }
}
