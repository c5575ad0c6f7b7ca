@testable import CertCycleCore

/// `d("2026-02-14")`: dates in tests read like the rules.
func d(_ text: String) -> CivilDate {
    guard let date = CivilDate(parsing: text) else { fatalError("bad test date \(text)") }
    return date
}

/// The 2025 and 2026 official calendars (国务院办公厅), enough for the rule tests; the full
/// files under Jobs/calendars are tested against the same dates in CertCycleConfigTests.
let officialCalendar: WorkingCalendar = {
    var calendar = WorkingCalendar()
    calendar.addYear(2025,
                     daysOff: ["2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02",
                               "2025-02-03", "2025-02-04", "2025-04-04", "2025-04-05", "2025-04-06", "2025-05-01", "2025-05-02",
                               "2025-05-03", "2025-05-04", "2025-05-05", "2025-05-31", "2025-06-01", "2025-06-02", "2025-10-01",
                               "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08"].map(d),
                     makeUpWorkdays: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"].map(d))
    calendar.addYear(2026,
                     daysOff: ["2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18",
                               "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23", "2026-04-04", "2026-04-05",
                               "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", "2026-06-19",
                               "2026-06-20", "2026-06-21", "2026-09-25", "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02",
                               "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"].map(d),
                     makeUpWorkdays: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"].map(d))
    return calendar
}()

let rules = CertificationRules(calendar: officialCalendar)

/// A certificate with an initial audit, and whatever else a test adds.
func certificateFile(
    decided: String = "2024-03-10", onsiteEnd: String = "2024-03-01", score: Double = 85, deductions: Int = 1,
    employees: Int = 120, stated: String? = nil, _ configure: (inout CertificateFile) -> Void = { _ in }
) -> CertificateFile {
    var file = CertificateFile(
        certificate: Certificate(certNo: "CAS-2024-0001", orgId: "ORG-1", scope: "家用电器的售后服务", statedValidThrough: stated.map(d)),
        organization: Organization(id: "ORG-1", name: "杭州恒达家电销售有限公司", employees: employees),
        audits: [Audit(id: "A-INIT", certNo: "CAS-2024-0001", kind: .initial, onsiteEnd: d(onsiteEnd), score: score,
                       deductions: deductions, decisionDate: d(decided), decidedBy: "DM-1", team: ["AUD-1"])]
    )
    configure(&file)
    return file
}

func audit(_ id: String, _ kind: AuditKind, end: String, score: Double? = 88, deductions: Int = 0, decided: String? = nil, due: String? = nil, start: String? = nil) -> Audit {
    Audit(id: id, certNo: "CAS-2024-0001", kind: kind, onsiteStart: start.map(d), onsiteEnd: d(end), score: score, deductions: deductions,
          decisionDate: decided.map(d), dueOn: due.map(d))
}

func obligations(_ file: CertificateFile, on date: String, kind: ObligationKind? = nil) -> [Obligation] {
    rules.obligations(of: CertificateHistory(file), on: d(date)).filter { kind == nil || $0.kind == kind }
}

func state(_ file: CertificateFile, on date: String) -> PublicState? {
    rules.publicState(of: CertificateHistory(file), on: d(date))
}
