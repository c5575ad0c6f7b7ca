import CertCycleCore
import Foundation
import Testing
import CertCycleNotices

@Test("scratch: digest timing for 100,000 rows")
func scratchTiming() {
    var rows: [DigestRow] = []
    let kinds = ObligationKind.allCases
    let stages: [Stage] = [.overdue, .due, .upcoming]
    for i in 0..<100_000 {
        let kind = kinds[i % kinds.count]
        let stage = stages[(i / 7) % 3]
        let due = CivilDate(dayNumber: 20_000 + (i * 37) % 400)
        let o = Obligation(subject: "CAS-2024-\(String(format: "%06d", i))", subjectType: kind.subjectType, kind: kind, stage: stage,
                           opens: due.addingMonths(-3), due: due, escalation: kind.escalation,
                           escalationBy: stage == .overdue ? Dated(due.addingDays(7), provisional: i % 11 == 0) : nil,
                           clause: kind.clause, record: i % 3 == 0 ? "NC-\(i)" : nil, organization: "ORG-\(i % 5000)",
                           manDaysHundredths: kind == .surveillance ? 250 : nil)
        rows.append(DigestRow(obligation: o, title: kind.chineseName, organizationName: i % 4 == 0 ? "杭州<恒达>&服务有限公司\(i)" : "宁波海曙家电服务有限公司\(i)", isNewStage: i % 13 == 0))
    }
    let day = DayNotices(asOf: CivilDate(dayNumber: 20_200), bodyName: "杭州中奥质量认证有限公司", obligations: rows, findings: [], statusChanges: [], letters: [])
    for _ in 0..<2 {
        var t = Date()
        let html = NoticeRenderer.digestHTML(day)
        print("SCRATCH html \(Date().timeIntervalSince(t)) s, \(html.utf8.count) bytes")
        t = Date()
        let md = NoticeRenderer.digestMarkdown(day)
        print("SCRATCH md \(Date().timeIntervalSince(t)) s, \(md.utf8.count) bytes")
        t = Date()
        let csv = NoticeRenderer.obligationsCSV(day)
        print("SCRATCH csv \(Date().timeIntervalSince(t)) s, \(csv.utf8.count) bytes")
    }
}
