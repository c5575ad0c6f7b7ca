@testable import CertCycleCore
import Testing

/// RULES §8: what the rules say once a step has been taken, and the public changes that have
/// letters of their own.
@Suite("§8: escalations already taken and public changes")
struct EscalationTakenTests {
    // Initial audit on-site end 2024-03-01: surveillance due Saturday 2025-03-01, suspend by the
    // 5th working day after it, Friday 2025-03-07 — the day the suspension below starts.
    static func suspended(reason: Int, from start: String) -> CertificateFile {
        certificateFile {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: reason, startOn: d(start))]
        }
    }

    @Test("an overdue surveillance on a suspended certificate shows the suspension as taken from its start, withdrawal at the 6-month limit next")
    func surveillanceTaken() throws {
        let file = Self.suspended(reason: 4, from: "2025-03-07")
        let o = try #require(obligations(file, on: "2025-05-06", kind: .surveillance).first)
        #expect(o.stage == .overdue)
        // §4's values stay.
        #expect(o.escalation == .suspend)
        #expect(o.escalationBy?.date == d("2025-03-07"))
        #expect(o.escalationTaken == d("2025-03-07"))
        #expect(o.pendingEscalation == nil)
        // 2025-03-07 + 6 months = 2025-09-07 (Civil Code: the start day is not counted).
        #expect(o.nextStep == NextStep(escalation: .withdraw, from: d("2025-09-07"), by: nil, clause: "9.3.3.1(5)"))
    }

    @Test("once the suspension limit has passed, the next step has its working-day deadline")
    func nextStepDeadline() throws {
        // Limit 2025-09-07 (a Sunday); 5 working days after: 12 September.
        let file = Self.suspended(reason: 4, from: "2025-03-07")
        let o = try #require(obligations(file, on: "2025-09-15", kind: .surveillance).first)
        #expect(o.nextStep?.by?.date == d("2025-09-12"))
    }

    @Test("a suspension for a pending licence (reason 5) is taken too; the next step is following the licence up")
    func licencePending() throws {
        let file = Self.suspended(reason: 5, from: "2025-03-07")
        let o = try #require(obligations(file, on: "2025-05-06", kind: .surveillance).first)
        #expect(o.escalationTaken == d("2025-03-07"))
        #expect(o.nextStep == NextStep(escalation: .none, from: nil, by: nil, clause: "9.3.2.2"))
        #expect(obligations(file, on: "2025-05-06", kind: .suspensionLimit).isEmpty)
    }

    @Test("an active certificate's overdue obligation has no step taken; a partial suspension is not a suspension")
    func notTaken() throws {
        let active = certificateFile()
        #expect(try #require(obligations(active, on: "2025-05-06", kind: .surveillance).first).escalationTaken == nil)
        let partial = certificateFile {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 1, startOn: d("2025-03-07"), reducedScope: "家用电器的安装")]
        }
        let o = try #require(obligations(partial, on: "2025-05-06", kind: .surveillance).first)
        #expect(o.escalationTaken == nil)
        #expect(o.certificateSuspendedSince == nil)
    }

    @Test("every obligation of a suspended certificate knows since when, so no letter threatens the suspension")
    func suspendedSince() {
        let file = certificateFile {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 2, startOn: d("2024-12-20"))]
        }
        let all = obligations(file, on: "2025-01-10")
        #expect(!all.isEmpty)
        #expect(all.allSatisfy { $0.certificateSuspendedSince == d("2024-12-20") })
        // Surveillance is due, not overdue: nothing is taken, but nothing may be threatened.
        #expect(all.first { $0.kind == .surveillance }?.escalationTaken == nil)
    }

    @Test("a pending-licence suspension reminds staff every 90 days from its start, until lifted", arguments: [
        ("2025-06-05", true), ("2025-06-04", false), ("2025-09-03", true), ("2025-06-06", false),
    ])
    func licenceFollowUp(_ date: String, _ reminded: Bool) {
        // Start 2025-03-07: day 90 is 2025-06-05, day 180 is 2025-09-03.
        let file = Self.suspended(reason: 5, from: "2025-03-07")
        let findings = rules.findings(of: CertificateHistory(file), on: d(date)).filter { $0.kind == .followUp }
        #expect(findings.count == (reminded ? 1 : 0))
        if reminded { #expect(findings.first?.clause == "9.3.2.2") }
        var lifted = file
        lifted.suspensions[0].liftedOn = d("2025-06-01")
        #expect(rules.findings(of: CertificateHistory(lifted), on: d(date)).filter { $0.kind == .followUp }.isEmpty)
    }

    @Test("7.5: a five-star grade removed by a surveillance score is a star change citing 7.5")
    func starRemoval() throws {
        let file = certificateFile(score: 96) {
            $0.audits.append(audit("A-S1", .surveillance, end: "2025-02-20", score: 90, decided: "2025-03-02"))
        }
        let change = try #require(CertificateHistory(file).change(on: d("2025-03-02"), settings: rules.settings))
        #expect(change.kind == .starChanged)
        #expect(change.removesStar)
        #expect(change.clause == "7.5")
    }

    @Test("9.3.2.1: a partial suspension is a scope reduction citing 9.3.2.1; its lifting restores the scope")
    func scopeReduction() throws {
        let file = certificateFile {
            $0.suspensions = [Suspension(id: "S1", certNo: "CAS-2024-0001", reason: 1, startOn: d("2025-04-01"), liftedOn: d("2025-05-15"),
                                         reducedScope: "家用电器的安装")]
        }
        let history = CertificateHistory(file)
        let reduced = try #require(history.change(on: d("2025-04-01"), settings: rules.settings))
        #expect(reduced.kind == .scopeChanged)
        #expect(reduced.scopeReduced)
        #expect(reduced.scope == "家用电器的安装")
        #expect(reduced.previousScope == "家用电器的售后服务")
        #expect(reduced.clause == "9.3.2.1")
        let restored = try #require(history.change(on: d("2025-05-15"), settings: rules.settings))
        #expect(restored.kind == .scopeChanged)
        #expect(!restored.scopeReduced)
        #expect(restored.scope == "家用电器的售后服务")
    }

    @Test("clauses are cited the Chinese way", arguments: [
        ("9.3.2.1(4)", "第 9.3.2.1 条第（4）项"), ("7.1", "第 7.1 条"), ("5", "第 5 条"), ("10", "第 10 条"), ("附录 A", "附录 A"),
    ])
    func citation(_ clause: String, _ text: String) {
        #expect(ClauseCitation.chinese(clause) == text)
    }
}
