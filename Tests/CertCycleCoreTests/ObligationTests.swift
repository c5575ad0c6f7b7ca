import Testing
@testable import CertCycleCore

@Suite("§4 obligations: opening, due date, stage and escalation")
struct ObligationTests {
    // The initial audit ended 2024-03-01 and was decided 2024-03-10 (valid through 2027-03-09).

    @Test("7.1 surveillance opens 9 months and is due 12 months after the cycle audit, shown 60 days before opening", arguments: [
        ("2024-10-01", nil), ("2024-10-02", Stage.upcoming), ("2024-11-30", .upcoming), ("2024-12-01", .due),
        ("2025-03-01", .due), ("2025-03-02", .overdue),
    ])
    func surveillanceStages(date: String, stage: Stage?) {
        let found = obligations(certificateFile(), on: date, kind: .surveillance)
        #expect(found.first?.stage == stage)
        if let o = found.first {
            #expect(o.opens == d("2024-12-01"))
            #expect(o.due == d("2025-03-01"))
            #expect(o.clause == "7.1")
            #expect(o.escalation == .suspend)
        }
    }

    @Test("9.3.2.1(4): an overdue surveillance must be suspended within 5 working days, Spring Festival skipped")
    func surveillanceEscalationAcrossSpringFestival() {
        // Initial audit ended 2025-02-13: due 2026-02-13 (Friday); 14 Feb is a make-up working day,
        // 15–23 Feb are the festival: 5 working days later is 27 Feb.
        let file = certificateFile(decided: "2025-02-20", onsiteEnd: "2025-02-13")
        let o = obligations(file, on: "2026-02-14", kind: .surveillance).first
        #expect(o?.stage == .overdue)
        #expect(o?.escalationBy == Dated(d("2026-02-27")))
        #expect(o?.provisional == false)
    }

    @Test("an escalation deadline in a year without calendar data is provisional")
    func provisionalEscalation() {
        let file = certificateFile(decided: "2026-01-05", onsiteEnd: "2025-12-29")
        let o = obligations(file, on: "2027-01-01", kind: .surveillance).first
        #expect(o?.due == d("2026-12-29"))
        #expect(o?.escalationBy?.provisional == true)
    }

    @Test("7.1: the next surveillance counts from the first one's on-site end; none after two")
    func surveillanceBaseMoves() {
        let one = certificateFile { $0.audits.append(audit("A-S1", .surveillance, end: "2025-02-15")) }
        let next = obligations(one, on: "2025-10-01", kind: .surveillance).first
        #expect(next?.opens == d("2025-11-15"))
        #expect(next?.due == d("2026-02-15"))
        let two = certificateFile {
            $0.audits.append(audit("A-S1", .surveillance, end: "2025-02-15"))
            $0.audits.append(audit("A-S2", .surveillance, end: "2026-02-10"))
        }
        #expect(obligations(two, on: "2026-06-01", kind: .surveillance).isEmpty)
        // The second audit has not happened yet on 2026-02-09: still due.
        #expect(obligations(two, on: "2026-02-09", kind: .surveillance).first?.stage == .due)
    }

    @Test("7.1: the surveillance notice states the man-days the audit needs")
    func surveillanceManDays() {
        #expect(obligations(certificateFile(employees: 120), on: "2024-12-01", kind: .surveillance).first?.manDaysHundredths == 250)
    }

    @Test("7.2: an extra (special) audit is a surveillance obligation due on its own date until it has happened")
    func specialAudit() {
        let file = certificateFile { $0.audits.append(audit("A-SP", .special, end: "2025-08-20", score: nil, due: "2025-08-15", start: "2025-08-18")) }
        let open = obligations(file, on: "2025-08-16", kind: .surveillance).filter { $0.record == "A-SP" }
        #expect(open.first?.stage == .overdue)
        #expect(open.first?.clause == "7.2")
        #expect(open.first?.opens == d("2025-08-15"))
        #expect(obligations(file, on: "2025-08-20", kind: .surveillance).allSatisfy { $0.record != "A-SP" })
    }

    @Test("8.1 recertification application from 6 to 3 months before expiry, fulfilled by an application received in the cycle", arguments: [
        ("2026-09-08", nil), ("2026-09-09", Stage.due), ("2026-12-09", .due), ("2026-12-10", .overdue),
    ])
    func recertificationApplication(date: String, stage: Stage?) {
        let file = certificateFile()
        #expect(obligations(file, on: date, kind: .recertificationApplication).first?.stage == stage)
        let applied = certificateFile {
            $0.applications = [Application(id: "AP1", orgId: "ORG-1", certNo: "CAS-2024-0001", kind: .recertification, receivedOn: d("2026-09-01"))]
        }
        #expect(obligations(applied, on: date, kind: .recertificationApplication).isEmpty)
        let refused = certificateFile {
            $0.applications = [Application(id: "AP1", orgId: "ORG-1", certNo: "CAS-2024-0001", kind: .recertification, receivedOn: d("2026-09-01"),
                                           reviewedOn: d("2026-09-03"), outcome: .notAccepted)]
        }
        #expect(obligations(refused, on: date, kind: .recertificationApplication).first?.stage == stage)
    }

    @Test("5: the expiry obligation opens 30 days before the valid-through date; the status expires the day after")
    func certificateExpiry() {
        let file = certificateFile()
        #expect(obligations(file, on: "2027-02-06", kind: .certificateExpiry).isEmpty)
        let o = obligations(file, on: "2027-02-07", kind: .certificateExpiry).first
        #expect(o?.stage == .due)
        #expect(o?.escalation == .expire)
        #expect(o?.escalationBy == nil)
        #expect(obligations(file, on: "2027-03-10").isEmpty)
    }

    @Test("7.5 corrective action within 2 months of notification, month end clamped, unless a due date is stated")
    func correctiveAction() {
        let file = certificateFile {
            $0.nonconformities = [
                Nonconformity(id: "NC1", certNo: "CAS-2024-0001", notifiedOn: d("2025-12-31")),
                Nonconformity(id: "NC2", certNo: "CAS-2024-0001", notifiedOn: d("2025-12-31"), dueOn: d("2026-01-15")),
                Nonconformity(id: "NC3", certNo: "CAS-2024-0001", notifiedOn: d("2025-12-31"), closedOn: d("2026-01-10")),
            ]
        }
        let open = obligations(file, on: "2026-01-20", kind: .correctiveAction)
        #expect(open.map(\.record) == ["NC1", "NC2"])
        #expect(open[0].due == d("2026-02-28"))
        #expect(open[0].stage == .due)
        #expect(open[1].stage == .overdue)
        #expect(open[1].escalationBy == Dated(d("2026-01-22")))
        #expect(obligations(file, on: "2026-01-09", kind: .correctiveAction).map(\.record) == ["NC1", "NC2", "NC3"])
    }

    @Test("9.3.2.2 a suspension lasts at most 6 months, except a pending licence renewal (reason 5)")
    func suspensionLimit() {
        let file = certificateFile {
            $0.suspensions = [
                Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 2, startOn: d("2025-08-31")),
                Suspension(id: "S5", certNo: "CAS-2024-0001", reason: 5, startOn: d("2025-08-31")),
            ]
        }
        let o = obligations(file, on: "2026-03-01", kind: .suspensionLimit)
        #expect(o.map(\.record) == ["S1"])
        #expect(o.first?.due == d("2026-02-28"))
        #expect(o.first?.stage == .overdue)
        #expect(o.first?.escalation == .withdraw)
        #expect(o.first?.escalationBy == Dated(d("2026-03-06")))
    }

    @Test("9.3.3.1(7) misuse not corrected within 2 months leads to withdrawal")
    func misuse() {
        let file = certificateFile { $0.misuseCases = [MisuseCase(id: "M1", certNo: "CAS-2024-0001", requestedOn: d("2025-04-30"))] }
        let o = obligations(file, on: "2025-07-01", kind: .misuseCorrection).first
        #expect(o?.due == d("2025-06-30"))
        #expect(o?.stage == .overdue)
        #expect(o?.escalation == .withdraw)
    }

    @Test("10 an appeal is answered in writing within 60 days")
    func appeal() {
        let appeal = Appeal(id: "AP-1", certNo: "CAS-2024-0001", receivedOn: d("2025-12-31"))
        #expect(rules.obligation(of: appeal, on: d("2026-03-01"))?.stage == .due)
        #expect(rules.obligation(of: appeal, on: d("2026-03-02"))?.stage == .overdue)
        #expect(rules.obligation(of: appeal, on: d("2026-03-02"))?.escalationBy == nil)
        var replied = appeal
        replied.repliedOn = d("2026-02-01")
        #expect(rules.obligation(of: replied, on: d("2026-02-01")) == nil)
        #expect(rules.obligation(of: appeal, on: d("2025-12-30")) == nil)
    }

    @Test("6.1.5 an applicant found not acceptable is notified within 5 days")
    func applicationNotice() {
        let application = Application(id: "APP-1", orgId: "ORG-1", kind: .initial, receivedOn: d("2026-02-10"),
                                      reviewedOn: d("2026-02-12"), outcome: .notAccepted)
        #expect(rules.obligation(of: application, on: d("2026-02-17"))?.stage == .due)
        #expect(rules.obligation(of: application, on: d("2026-02-18"))?.stage == .overdue)
        var notified = application
        notified.notifiedOn = d("2026-02-15")
        #expect(rules.obligation(of: notified, on: d("2026-02-18")) == nil)
        var accepted = application
        accepted.outcome = .accepted
        #expect(rules.obligation(of: accepted, on: d("2026-02-18")) == nil)
    }

    @Test("§4: a withdrawn or expired certificate has no obligations; a suspended one keeps them")
    func onlyActiveOrSuspended() {
        let file = certificateFile {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2025-03-10"))]
            $0.withdrawals = [Withdrawal(id: "W1", certNo: "CAS-2024-0001", reason: 5, decidedOn: d("2025-09-20"))]
        }
        #expect(Set(obligations(file, on: "2025-09-19").map(\.kind)) == [.surveillance, .suspensionLimit])
        #expect(obligations(file, on: "2025-09-20").isEmpty)
    }

    @Test("9.3.2.1: a suspension decided more than 5 working days after its cause is a compliance warning")
    func lateSuspensionWarning() {
        // Cause verified Friday 13 Feb 2026: the 5th working day after is 27 Feb (Spring Festival).
        func findings(start: String) -> [Finding] {
            let file = certificateFile {
                $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 1, causeVerifiedOn: d("2026-02-13"), startOn: d(start))]
            }
            return rules.findings(of: CertificateHistory(file), on: d("2026-03-31"))
        }
        #expect(findings(start: "2026-02-27").isEmpty)
        // Saturday 28 February is a make-up working day: the 6th.
        #expect(findings(start: "2026-02-28").first?.message.contains("已 6 个工作日") == true)
        let late = findings(start: "2026-03-02")
        #expect(late.map(\.kind) == [.compliance])
        #expect(late.first?.message.contains("已 7 个工作日") == true)
    }

    @Test("staff order puts overdue first, then by due date")
    func staffOrder() {
        let file = certificateFile {
            $0.nonconformities = [Nonconformity(id: "NC1", certNo: "CAS-2024-0001", notifiedOn: d("2024-12-15"))]
        }
        let sorted = obligations(file, on: "2025-02-20").sorted(by: Obligation.staffOrder)
        #expect(sorted.map(\.stage) == [.overdue, .due])
        #expect(sorted.map(\.kind) == [.correctiveAction, .surveillance])
    }
}
