public import CertCycleCore
public import CertCycleRegister

/// Applies the rules to the whole register on one date, streaming certificate by certificate:
/// what `scan`, `status` and the nightly run are built on.
public struct RegisterScan {
    public let register: any Register
    public let rules: CertificationRules

    public init(register: any Register, rules: CertificationRules) {
        self.register = register
        self.rules = rules
    }

    /// Every open obligation on `date`: certificates' in `cert_no` order, then appeals', then
    /// applications'. `body` gets the certificate's file when the subject is a certificate.
    public func forEachObligation(on date: CivilDate, findings: (Finding) -> Void = { _ in },
                                  _ body: (Obligation, CertificateFile?) throws -> Void) throws {
        try forEachCertificate(on: date) { day in
            for obligation in day.obligations { try body(obligation, day.file) }
            day.findings.forEach(findings)
        }
        for obligation in try otherObligations(on: date) { try body(obligation, nil) }
    }

    /// Every certificate in `cert_no` order, with what the rules make of it on `date`.
    public func forEachCertificate(on date: CivilDate, _ body: (CertificateDay) throws -> Void) throws {
        try register.forEachCertificate { file in
            let history = CertificateHistory(file)
            try body(CertificateDay(file: file, history: history, obligations: rules.obligations(of: history, on: date),
                                    findings: rules.findings(of: history, on: date)))
        }
    }

    /// The obligations whose subject is not a certificate: appeals', then not-acceptable
    /// applications', then the body's own (the monthly reports to CNCA, tracked from the first
    /// completed run, or from `adoptedOn` on a register's first night).
    public func otherObligations(on date: CivilDate, adoptedOn: CivilDate? = nil) throws -> [Obligation] {
        try register.appeals().compactMap { rules.obligation(of: $0, on: date) }
            + register.notAcceptedApplications().compactMap { rules.obligation(of: $0, on: date) }
            + bodyObligations(on: date, adoptedOn: adoptedOn)
    }

    /// The body's monthly reports outstanding on `date` (RULES §10).
    public func bodyObligations(on date: CivilDate, adoptedOn: CivilDate? = nil) throws -> [Obligation] {
        guard let since = try register.firstCompletedDay() ?? adoptedOn, since <= date else { return [] }
        let months = rules.reportMonths(on: date, trackedSince: since)
        let days = try register.ledgerDays(kind: .report, among: months.map(MonthlyReportRecord.firstKey))
        var generated: [ReportMonth: CivilDate] = [:]
        for m in months { if let day = days[MonthlyReportRecord.firstKey(m)] { generated[m] = day } }
        return rules.regulatorReports(on: date, trackedSince: since, generated: generated)
    }

    /// Every certificate issued by `date`, with its public state, in `cert_no` order.
    public func forEachState(on date: CivilDate, _ body: (PublicState, CertificateFile) throws -> Void) throws {
        try register.forEachCertificate { file in
            if let state = rules.publicState(of: CertificateHistory(file), on: date) {
                try body(state, file)
            }
        }
    }
}

/// One certificate on one date: its records, its history, its open obligations and findings.
public struct CertificateDay {
    public let file: CertificateFile
    public let history: CertificateHistory
    public let obligations: [Obligation]
    public let findings: [Finding]
}
