import Testing
@testable import CertCycleCore

@Suite("§2–3 cycles, validity, public status, star grade")
struct PublicStatusTests {
    @Test("5: a certificate is valid for 3 years from the decision, through the day before")
    func validThrough() {
        let file = certificateFile(decided: "2024-03-10")
        #expect(state(file, on: "2024-03-10")?.validThrough == d("2027-03-09"))
        #expect(state(file, on: "2027-03-09")?.status == .active)
        #expect(state(file, on: "2027-03-10")?.status == .expired)
        #expect(state(file, on: "2027-03-10")?.since == d("2027-03-10"))
    }

    @Test("5: a cycle decided on a leap day runs through 27 February three years on")
    func leapDayCycle() {
        let file = certificateFile(decided: "2024-02-29", onsiteEnd: "2024-02-20")
        #expect(state(file, on: "2025-01-01")?.validThrough == d("2027-02-27"))
    }

    @Test("not yet issued before the initial decision; a failed initial audit issues nothing")
    func notIssued() {
        #expect(state(certificateFile(decided: "2024-03-10"), on: "2024-03-09") == nil)
        #expect(state(certificateFile(score: 65), on: "2025-01-01") == nil)
        #expect(state(certificateFile(deductions: 5), on: "2025-01-01") == nil)
    }

    @Test("a stated printed expiry is used and reported as a data warning")
    func statedExpiry() {
        let file = certificateFile(decided: "2024-03-10", stated: "2027-03-31")
        #expect(state(file, on: "2027-03-20")?.status == .active)
        #expect(state(file, on: "2027-04-01")?.status == .expired)
        let findings = rules.findings(of: CertificateHistory(file), on: d("2024-06-01"))
        #expect(findings.map(\.kind) == [.data])
    }

    @Test("5: a passing recertification starts a new cycle on its decision date; a failed one starts nothing")
    func recertification() {
        let passed = certificateFile { $0.audits.append(audit("A-RE", .recertification, end: "2027-01-20", score: 90, decided: "2027-02-15")) }
        #expect(state(passed, on: "2027-03-10")?.validThrough == d("2030-02-14"))
        #expect(state(passed, on: "2027-03-10")?.since == d("2024-03-10"))
        let failed = certificateFile { $0.audits.append(audit("A-RE", .recertification, end: "2027-01-20", score: 60, decided: "2027-02-15")) }
        #expect(state(failed, on: "2027-03-10")?.status == .expired)
    }

    @Test("a recertification decided after expiry makes the certificate active again from its decision")
    func recertifiedAfterExpiry() {
        let file = certificateFile { $0.audits.append(audit("A-RE", .recertification, end: "2027-03-20", score: 90, decided: "2027-04-01")) }
        #expect(state(file, on: "2027-03-31")?.status == .expired)
        let after = state(file, on: "2027-05-01")
        #expect(after?.status == .active)
        #expect(after?.since == d("2027-04-01"))
        #expect(after?.issuedOn == d("2024-03-10"))
    }

    @Test("9.3.2: suspended from the start date until the day it is lifted")
    func suspension() {
        let file = certificateFile { $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2025-06-20"), liftedOn: d("2025-09-01"))] }
        #expect(state(file, on: "2025-06-19")?.status == .active)
        #expect(state(file, on: "2025-06-20")?.status == .suspended)
        #expect(state(file, on: "2025-06-20")?.since == d("2025-06-20"))
        #expect(state(file, on: "2025-06-20")?.clause == "9.3.2.1(4)")
        #expect(state(file, on: "2025-08-31")?.status == .suspended)
        #expect(state(file, on: "2025-09-01")?.status == .active)
        #expect(state(file, on: "2025-09-01")?.since == d("2025-09-01"))
    }

    @Test("9.3.2.1 last paragraph: a partial suspension keeps the certificate active with the reduced scope")
    func partialSuspension() {
        let file = certificateFile { $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 1, startOn: d("2025-06-20"), reducedScope: "家用电器的安装服务")] }
        let s = state(file, on: "2025-07-01")
        #expect(s?.status == .active)
        #expect(s?.scope == "家用电器的安装服务")
        #expect(s?.since == d("2024-03-10"))
    }

    @Test("§3 precedence: withdrawn over expired over suspended")
    func precedence() {
        let file = certificateFile {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2026-10-01"))]
            $0.withdrawals = [Withdrawal(id: "W1", certNo: "CAS-2024-0001", reason: 5, decidedOn: d("2027-04-15"))]
        }
        #expect(state(file, on: "2027-01-01")?.status == .suspended)
        #expect(state(file, on: "2027-03-10")?.status == .expired)
        #expect(state(file, on: "2027-04-15")?.status == .withdrawn)
        #expect(state(file, on: "2027-04-15")?.since == d("2027-04-15"))
    }

    @Test("§1: records dated after the as-of date change nothing for it")
    func laterRecordsIgnored() {
        let plain = certificateFile()
        let later = certificateFile {
            $0.withdrawals = [Withdrawal(id: "W1", certNo: "CAS-2024-0001", reason: 6, decidedOn: d("2026-01-10"))]
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 6, startOn: d("2025-12-01"))]
            $0.audits.append(audit("A-S1", .surveillance, end: "2025-12-20", score: 50, decided: "2026-01-05"))
        }
        for date in ["2024-03-10", "2025-01-01", "2025-11-30"] {
            #expect(state(plain, on: date) == state(later, on: date))
            #expect(obligations(plain, on: date) == obligations(later, on: date))
        }
    }

    @Test("6.5 and 7.5: five stars from a ≥95 cycle audit, revoked from the decision on a surveillance below 95, back with a new cycle")
    func fiveStar() {
        let file = certificateFile(score: 96) {
            $0.audits.append(audit("A-S1", .surveillance, end: "2025-01-10", score: 97, decided: "2025-01-20"))
            $0.audits.append(audit("A-S2", .surveillance, end: "2026-01-10", score: 93, decided: "2026-01-25"))
            $0.audits.append(audit("A-RE", .recertification, end: "2027-01-20", score: 98, decided: "2027-02-15"))
        }
        #expect(state(file, on: "2025-06-01")?.star == .fiveStar)
        #expect(state(file, on: "2026-01-24")?.star == .fiveStar)
        #expect(state(file, on: "2026-01-25")?.star == StarGrade.none)
        #expect(state(file, on: "2027-02-15")?.star == .fiveStar)
    }

    @Test("a star is revoked from the on-site end when no decision date is recorded")
    func starRevokedOnOnsiteEnd() {
        let file = certificateFile(score: 96) { $0.audits.append(audit("A-S1", .surveillance, end: "2025-01-10", score: 90)) }
        #expect(state(file, on: "2025-01-09")?.star == .fiveStar)
        #expect(state(file, on: "2025-01-10")?.star == StarGrade.none)
    }

    @Test("every change of status, scope, star or validity is a public change, oldest first")
    func publicChanges() {
        let file = certificateFile(score: 96) {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2025-06-20"), liftedOn: d("2025-08-01"))]
            $0.audits.append(audit("A-S1", .surveillance, end: "2025-07-20", score: 80, decided: "2025-07-28"))
        }
        let changes = CertificateHistory(file).publicChanges(through: d("2027-12-31"), settings: rules.settings)
        #expect(changes.map(\.date) == ["2024-03-10", "2025-06-20", "2025-07-28", "2025-08-01", "2027-03-10"].map(d))
        #expect(changes.map(\.status) == [.active, .suspended, .suspended, .active, .expired])
        #expect(changes[2].star == StarGrade.none)
    }
}

@Suite("a day's public change")
struct DayChangeTests {
    @Test("a change is found on exactly the days publicChanges lists")
    func dayByDayMatchesHistory() {
        let file = certificateFile(score: 96) {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 4, startOn: d("2025-06-20"), liftedOn: d("2025-08-01"))]
            $0.audits.append(audit("A-S1", .surveillance, end: "2025-07-20", score: 80, decided: "2025-07-28"))
            $0.withdrawals = [Withdrawal(id: "W1", certNo: "CAS-2024-0001", reason: 6, decidedOn: d("2026-02-28"))]
        }
        let history = CertificateHistory(file)
        var found: [PublicChange] = []
        var day = d("2024-01-01")
        while day <= d("2027-12-31") {
            if let change = history.change(on: day, settings: rules.settings) { found.append(change) }
            day = day.addingDays(1)
        }
        #expect(found == history.publicChanges(through: d("2027-12-31"), settings: rules.settings))
        #expect(found.map(\.status) == [.active, .suspended, .suspended, .active, .withdrawn])
        #expect(found.last?.previousStatus == .active)
    }
}
