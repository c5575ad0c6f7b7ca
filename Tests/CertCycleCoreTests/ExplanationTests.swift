@testable import CertCycleCore
import Testing

/// `certcycle explain`: every obligation kind says where its dates come from, step by step.
@Suite("explain: why an obligation is due when it is")
struct ExplanationTests {
    static let file = certificateFile {
        $0.nonconformities = [Nonconformity(id: "NC-1", certNo: "CAS-2024-0001", notifiedOn: d("2025-12-13"))]
        $0.misuseCases = [MisuseCase(id: "MU-1", certNo: "CAS-2024-0001", requestedOn: d("2025-12-31"))]
        $0.suspensions = [Suspension(id: "S-1", certNo: "CAS-2024-0001", reason: 2, startOn: d("2026-06-28"))]
        $0.audits.append(audit("A-S1", .surveillance, end: "2025-02-20", decided: "2025-03-01"))
        $0.audits.append(audit("A-S2", .surveillance, end: "2026-02-12", decided: "2026-02-20"))
        $0.audits.append(Audit(id: "A-X", certNo: "CAS-2024-0001", kind: .special, onsiteEnd: d("2027-03-01"), dueOn: d("2026-04-30"),
                               reason: "相关方多次投诉"))
    }

    static func explained(_ kind: ObligationKind, on date: String, file: CertificateFile = Self.file) throws -> Explanation {
        try #require(rules.explain(CertificateHistory(file), on: d(date), kind: kind).first { $0.obligation.record != "A-X" || kind != .surveillance })
    }

    @Test("every kind of a certificate names its records and steps, ending with the stage", arguments: [
        (ObligationKind.surveillance, "2025-01-10"), (.recertificationApplication, "2026-10-01"), (.certificateExpiry, "2027-02-10"),
        (.correctiveAction, "2026-01-05"), (.suspensionLimit, "2026-07-01"), (.misuseCorrection, "2026-01-05"),
    ])
    func everyKind(_ kind: ObligationKind, _ date: String) throws {
        let file = kind == .surveillance ? certificateFile() : Self.file
        let e = try Self.explained(kind, on: date, file: file)
        #expect(e.obligation.kind == kind)
        #expect(e.records.first?.id == "A-INIT")
        #expect(e.steps.count >= 2)
        #expect(e.steps.contains { $0.date == e.obligation.due })
        #expect(e.steps.last?.text.contains(date) == true)
    }

    @Test("surveillance: the base is the latest surveillance of the cycle, +9 and +12 months")
    func surveillanceBase() throws {
        // One surveillance so far (a second one ends the cycle's surveillance obligations, 7.1).
        let file = certificateFile { $0.audits.append(audit("A-S1", .surveillance, end: "2025-02-20", decided: "2025-03-01")) }
        let e = try Self.explained(.surveillance, on: "2025-12-01", file: file)
        #expect(e.records.map(\.id) == ["A-INIT", "A-S1"])
        #expect(e.steps[0].text.contains("最近一次（A-S1）的现场审查结束日 2025-02-20"))
        #expect(e.steps[1].text == "监督审查期开始：基准日加 9 个月：2025-02-20 + 9 个月 = 2025-11-20")
        #expect(e.steps[2].date == d("2026-02-20"))
    }

    @Test("month arithmetic says when it clamps to the month's end: 2025-12-31 + 2 months = 2026-02-28")
    func clamping() throws {
        let e = try Self.explained(.misuseCorrection, on: "2026-01-05")
        #expect(e.steps[0].text == "纠正期限：要求纠正日加 2 个月：2025-12-31 + 2 个月 = 2026-02-28（2026 年 2 月没有 31 日，取该月最后一日）")
    }

    @Test("the working days to an escalation name the Spring Festival days skipped and the make-up Saturday counted")
    func springFestival() throws {
        // NC-1 notified 2025-12-13, due Friday 2026-02-13: Saturday 14 February is a make-up working
        // day (1), 15–23 February the festival, then 24–27 February (2–5).
        let e = try Self.explained(.correctiveAction, on: "2026-03-02")
        let step = try #require(e.steps.first { $0.clause == "9.3.2.1(1)" })
        #expect(step.date == d("2026-02-27"))
        #expect(step.text.contains("2026-02-14（周末调休上班日）、2026-02-24"))
        #expect(step.text.contains("2026-02-16（法定节假日）"))
        #expect(step.text.contains("2026-02-15（周末）"))
        #expect(!step.provisional)
    }

    @Test("a count through a year without calendar data says so and is provisional")
    func provisionalYear() throws {
        // S-1 from 2026-06-28: limit Monday 2026-12-28; the 5th working day after passes 1 January 2027.
        let e = try Self.explained(.suspensionLimit, on: "2027-01-10")
        let step = try #require(e.steps.first { $0.clause == "9.3.3.1(5)" })
        #expect(step.provisional)
        #expect(step.text.contains("2027 年尚无官方日历"))
        #expect(step.text.contains("2027-01-01（法定节假日）"))
    }

    @Test("a suspended certificate's overdue surveillance explains the suspension taken and the next step")
    func taken() throws {
        let file = certificateFile {
            $0.suspensions = [Suspension(id: "S-1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2025-03-07"))]
        }
        let e = try Self.explained(.surveillance, on: "2025-05-06", file: file)
        #expect(e.steps.contains { $0.text == "证书已自 2025-03-07 起暂停：暂停已经采取，不再重复" })
        #expect(e.steps.last?.text.hasPrefix("下一步：暂停期满 2025-09-07 后撤销证书") == true)
    }

    @Test("the extra audit of 7.2 names its record and reason")
    func extraAudit() throws {
        let e = try #require(rules.explain(CertificateHistory(Self.file), on: d("2026-04-01"), kind: .surveillance).first { $0.obligation.record == "A-X" })
        #expect(e.records.contains { $0.id == "A-X" && $0.summary.contains("相关方多次投诉") })
        #expect(e.steps[0].clause == "7.2")
    }

    @Test("appeals and not-acceptable applications: received + 60 days, reviewed + 5 days")
    func appealAndApplication() throws {
        let appeal = Appeal(id: "AP-1", certNo: "CAS-2024-0001", orgId: "ORG-1", receivedOn: d("2026-01-10"))
        let a = rules.explain(try #require(rules.obligation(of: appeal, on: d("2026-02-01"))), received: appeal.receivedOn, on: d("2026-02-01"))
        #expect(a.steps[0].date == d("2026-03-11"))
        let application = Application(id: "APP-1", orgId: "ORG-1", kind: .initial, receivedOn: d("2026-01-02"), reviewedOn: d("2026-01-08"),
                                      outcome: .notAccepted)
        let b = rules.explain(try #require(rules.obligation(of: application, on: d("2026-01-09"))), received: application.receivedOn, on: d("2026-01-09"))
        #expect(b.steps[0].date == d("2026-01-13"))
        #expect(b.records[0].summary.contains("2026-01-02"))
    }
}
