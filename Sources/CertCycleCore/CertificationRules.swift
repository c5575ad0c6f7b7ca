/// The certification rules, applied to the register on a date: public states, obligations
/// (RULES §4) and findings. Pure: time comes in as `asOf`, data as values.
public struct CertificationRules: Sendable {
    public var settings: RuleSettings
    public var calendar: WorkingCalendar

    public init(settings: RuleSettings = RuleSettings(), calendar: WorkingCalendar) {
        self.settings = settings
        self.calendar = calendar
    }

    // MARK: Stages

    /// The stage of an obligation opening on `opens` and due on `due`, on `date`; nil while it
    /// is still before its notice period.
    public func stage(of kind: ObligationKind, opens: CivilDate, due: CivilDate, on date: CivilDate) -> Stage? {
        if date > due { return .overdue }
        if date >= opens { return .due }
        if date >= opens.addingDays(-settings.settings(for: kind).noticeDays) { return .upcoming }
        return nil
    }

    /// Builds the obligation when it is visible on `date`, with its escalation deadline.
    func obligation(_ kind: ObligationKind, subject: String, opens: CivilDate, due: CivilDate, on date: CivilDate,
                    clause: String? = nil, record: String? = nil, organization: String? = nil,
                    manDaysHundredths: Int? = nil) -> Obligation? {
        guard let stage = stage(of: kind, opens: opens, due: due, on: date) else { return nil }
        var escalationBy: Dated?
        if stage == .overdue, kind.escalation == .suspend || kind.escalation == .withdraw {
            escalationBy = calendar.addingWorkingDays(settings.settings(for: kind).escalationWorkingDays, to: due)
        }
        return Obligation(subject: subject, subjectType: kind.subjectType, kind: kind, stage: stage, opens: opens, due: due,
                          escalation: kind.escalation, escalationBy: escalationBy, clause: clause ?? kind.clause,
                          record: record, organization: organization, manDaysHundredths: manDaysHundredths)
    }

    // MARK: Certificates

    /// Every obligation of one certificate on `date`. None unless the certificate is active
    /// or suspended on that date.
    public func obligations(of history: CertificateHistory, on date: CivilDate) -> [Obligation] {
        guard let state = history.snapshot(on: date, settings: settings),
              state.status == .active || state.status == .suspended,
              let cycle = history.currentCycle(on: date)
        else { return [] }
        let file = history.file
        let certNo = history.certNo
        let org = file.certificate.orgId
        var result: [Obligation] = []

        // Surveillance (7.1): 9–12 months after the cycle's audit or the latest surveillance.
        let done = history.surveillanceAudits(of: cycle, asOf: date)
        if done.count < 2 {
            let base = done.last?.onsiteEnd ?? cycle.audit.onsiteEnd
            let manDays = file.organization.flatMap { $0.employees >= 1 ? ManDays(employees: $0.employees, audit: .surveillance).requiredHundredths : nil }
            if let o = obligation(.surveillance, subject: certNo, opens: base.addingMonths(9), due: base.addingMonths(12), on: date,
                                  organization: org, manDaysHundredths: manDays) {
                result.append(o)
            }
        }
        // Extra surveillance (7.2): a special audit with its own due date, until it has happened.
        for audit in file.audits where audit.kind == .special {
            guard let dueOn = audit.dueOn, audit.onsiteEnd > date else { continue }
            let opens = min(audit.onsiteStart ?? dueOn, dueOn)
            if let o = obligation(.surveillance, subject: certNo, opens: opens, due: dueOn, on: date, clause: "7.2",
                                  record: audit.id, organization: org) {
                result.append(o)
            }
        }
        // Recertification application (8.1): 3 months before expiry at the latest.
        let applied = file.applications.contains {
            $0.kind == .recertification && $0.receivedOn > cycle.decision && $0.receivedOn <= date
                && $0.outcome != .withdrawn && $0.outcome != .notAccepted
        }
        if !applied, let o = obligation(.recertificationApplication, subject: certNo, opens: cycle.validThrough.addingMonths(-6),
                                        due: cycle.validThrough.addingMonths(-3), on: date, organization: org) {
            result.append(o)
        }
        // Expiry (5): fulfilled only by a new cycle, which moves validThrough.
        if let o = obligation(.certificateExpiry, subject: certNo, opens: cycle.validThrough.addingDays(-30),
                              due: cycle.validThrough, on: date, organization: org) {
            result.append(o)
        }
        // Corrective actions (7.5): 2 months from notification unless a due date is stated.
        for nc in file.nonconformities where nc.notifiedOn <= date && !(nc.closedOn.map { $0 <= date } ?? false) {
            if let o = obligation(.correctiveAction, subject: certNo, opens: nc.notifiedOn, due: nc.dueOn ?? nc.notifiedOn.addingMonths(2),
                                  on: date, record: nc.id, organization: org) {
                result.append(o)
            }
        }
        // Suspension limit (9.3.2.2): 6 months, except a pending licence renewal (reason 5).
        for suspension in file.suspensions where suspension.isInForce(on: date) && suspension.reason != Suspension.licenceRenewalReason {
            if let o = obligation(.suspensionLimit, subject: certNo, opens: suspension.startOn, due: suspension.startOn.addingMonths(6),
                                  on: date, record: suspension.id, organization: org) {
                result.append(o)
            }
        }
        // Misuse (9.3.3.1(7)): corrected within 2 months of the request.
        for misuse in file.misuseCases where misuse.requestedOn <= date && !(misuse.correctedOn.map { $0 <= date } ?? false) {
            if let o = obligation(.misuseCorrection, subject: certNo, opens: misuse.requestedOn, due: misuse.requestedOn.addingMonths(2),
                                  on: date, record: misuse.id, organization: org) {
                result.append(o)
            }
        }
        return result
    }

    // MARK: Appeals and applications

    /// A written reply within 60 days of receipt (10).
    public func obligation(of appeal: Appeal, on date: CivilDate) -> Obligation? {
        guard appeal.receivedOn <= date, !(appeal.repliedOn.map { $0 <= date } ?? false) else { return nil }
        return obligation(.appealReply, subject: appeal.id, opens: appeal.receivedOn, due: appeal.receivedOn.addingDays(60),
                          on: date, organization: appeal.orgId)
    }

    /// An application found not acceptable: the applicant is notified within 5 days (6.1.5).
    public func obligation(of application: Application, on date: CivilDate) -> Obligation? {
        guard application.outcome == .notAccepted, let reviewed = application.reviewedOn, reviewed <= date,
              !(application.notifiedOn.map { $0 <= date } ?? false)
        else { return nil }
        return obligation(.applicationNotice, subject: application.id, opens: reviewed, due: reviewed.addingDays(5),
                          on: date, organization: application.orgId)
    }

    // MARK: Public state and findings

    public func publicState(of history: CertificateHistory, on date: CivilDate) -> PublicState? {
        history.publicState(on: date, settings: settings)
    }

    /// Compliance warnings (a suspension or withdrawal decided more than the allowed working days
    /// after its verified cause) and data warnings (a printed expiry that differs from the rule),
    /// for what has happened by `date`.
    public func findings(of history: CertificateHistory, on date: CivilDate) -> [Finding] {
        let file = history.file
        let certNo = history.certNo
        let limit = settings.decisionWorkingDays
        var findings: [Finding] = []
        for suspension in file.suspensions where suspension.startOn <= date {
            if let finding = lateDecision(certNo: certNo, record: suspension.id, what: "suspension", cause: suspension.causeVerifiedOn,
                                          decided: suspension.startOn, limit: limit, clause: "9.3.2.1") {
                findings.append(finding)
            }
        }
        for withdrawal in file.withdrawals where withdrawal.decidedOn <= date {
            if let finding = lateDecision(certNo: certNo, record: withdrawal.id, what: "withdrawal", cause: withdrawal.causeVerifiedOn,
                                          decided: withdrawal.decidedOn, limit: limit, clause: "9.3.3.1") {
                findings.append(finding)
            }
        }
        for cycle in history.cycles where cycle.decision <= date && cycle.validThrough != cycle.ruleValidThrough {
            findings.append(Finding(kind: .data, certificate: certNo, record: cycle.audit.id, clause: "5",
                                    message: "printed expiry \(cycle.validThrough) differs from the rule's \(cycle.ruleValidThrough) (decision \(cycle.decision) + 3 years − 1 day); the printed one is used"))
        }
        return findings
    }

    private func lateDecision(certNo: String, record: String, what: String, cause: CivilDate?, decided: CivilDate,
                              limit: Int, clause: String) -> Finding? {
        guard let cause else { return nil }
        let deadline = calendar.addingWorkingDays(limit, to: cause)
        guard decided > deadline.date else { return nil }
        let taken = calendar.workingDays(after: cause, through: decided)
        return Finding(kind: .compliance, certificate: certNo, record: record, clause: clause,
                       message: "\(what) \(record) decided on \(decided), \(taken.value) working days after its cause was verified on \(cause); the limit is \(limit) (by \(deadline.date))",
                       provisional: deadline.provisional || taken.provisional)
    }
}
