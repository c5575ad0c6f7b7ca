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
            if var o = obligation(.surveillance, subject: certNo, opens: opens, due: dueOn, on: date, clause: "7.2",
                                  record: audit.id, organization: org) {
                o.reason = audit.reason
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
            if var o = obligation(.correctiveAction, subject: certNo, opens: nc.notifiedOn, due: nc.dueOn ?? nc.notifiedOn.addingMonths(2),
                                  on: date, record: nc.id, organization: org) {
                o.dueStated = nc.dueOn != nil
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
        if state.status == .suspended { markSuspensionTaken(&result, file: file, on: date) }
        return result
    }

    /// RULES §8: on a day the certificate is suspended, an overdue obligation whose escalation
    /// is suspension shows it as taken (from the start of the suspension in force) and names the
    /// step that still applies: withdrawal once the 6-month limit has passed (9.3.3.1(5)), or,
    /// for a pending licence (reason 5), following it up until the licensing decision (9.3.2.2).
    func markSuspensionTaken(_ obligations: inout [Obligation], file: CertificateFile, on date: CivilDate) {
        let inForce = file.suspensions.filter { $0.isInForce(on: date) && $0.reducedScope == nil }
        guard let suspension = inForce.min(by: { ($0.startOn, $0.id) < ($1.startOn, $1.id) }) else { return }
        let next: NextStep
        if suspension.reason == Suspension.licenceRenewalReason {
            next = NextStep(escalation: .none, from: nil, by: nil, clause: "9.3.2.2")
        } else {
            let limit = suspension.startOn.addingMonths(6)
            let by = date > limit ? calendar.addingWorkingDays(settings.settings(for: .suspensionLimit).escalationWorkingDays, to: limit) : nil
            next = NextStep(escalation: .withdraw, from: limit, by: by, clause: "9.3.3.1(5)")
        }
        for i in obligations.indices {
            obligations[i].certificateSuspendedSince = suspension.startOn
            if obligations[i].stage == .overdue && obligations[i].escalation == .suspend {
                obligations[i].escalationTaken = suspension.startOn
                obligations[i].nextStep = next
            }
        }
    }

    // MARK: Appeals and applications

    /// A written reply within 60 days of receipt (10).
    public func obligation(of appeal: Appeal, on date: CivilDate) -> Obligation? {
        guard appeal.receivedOn <= date, !(appeal.repliedOn.map { $0 <= date } ?? false) else { return nil }
        var o = obligation(.appealReply, subject: appeal.id, opens: appeal.receivedOn, due: appeal.receivedOn.addingDays(60),
                           on: date, organization: appeal.orgId)
        o?.receivedOn = appeal.receivedOn
        return o
    }

    /// An application found not acceptable: the applicant is notified within 5 days (6.1.5).
    public func obligation(of application: Application, on date: CivilDate) -> Obligation? {
        guard application.outcome == .notAccepted, let reviewed = application.reviewedOn, reviewed <= date,
              !(application.notifiedOn.map { $0 <= date } ?? false)
        else { return nil }
        var o = obligation(.applicationNotice, subject: application.id, opens: reviewed, due: reviewed.addingDays(5),
                           on: date, organization: application.orgId)
        o?.receivedOn = application.receivedOn
        o?.reason = application.reason
        return o
    }

    /// The monthly reports to CNCA outstanding on `date` (RULES §10): the report on month M opens
    /// on the 1st of the next month and is due on its 10th, with no extension for holidays; it is
    /// fulfilled from the day the report on M was generated (`generated`). Only reports due on or
    /// after `trackedSince` (the day the register was adopted) are tracked: the body's reports
    /// before certcycle are not its to know; and none on a month more than a year before
    /// `date`'s. Oldest month first; the subject is the month.
    public func regulatorReports(on date: CivilDate, trackedSince: CivilDate?, generated: [ReportMonth: CivilDate]) -> [Obligation] {
        reportMonths(on: date, trackedSince: trackedSince).compactMap { month in
            if let made = generated[month], made <= date { return nil }
            return obligation(.regulatorReport, subject: month.description, opens: month.next.first, due: Self.reportDue(month), on: date)
        }
    }

    /// The months whose report `regulatorReports` considers on `date`, oldest first: from the
    /// report due soonest on or after `trackedSince` (on the month before its month, or on that
    /// month itself when it is after the 10th), but none more than a year overdue (a run far
    /// ahead would list thousands), through the months before `date`'s, whose reports have
    /// opened, and `date`'s own only in its notice period (never December 9999's, whose report
    /// would open in 10000). The store is asked which of these were generated.
    public func reportMonths(on date: CivilDate, trackedSince: CivilDate?) -> [ReportMonth] {
        guard let since = trackedSince, since <= date else { return [] }
        var month = ReportMonth(containing: since).previous
        if Self.reportDue(month) < since { month = month.next }
        let current = ReportMonth(containing: date)
        if month.index < current.index - 12 { month = current.adding(-12) }
        var months: [ReportMonth] = []
        while month.index <= current.index {
            if month == current {
                guard current.year < 9999 || current.month < 12,
                      current.next.first.addingDays(-settings.settings(for: .regulatorReport).noticeDays) <= date else { break }
            }
            months.append(month)
            month = month.next
        }
        return months
    }

    /// The 10th of the month after `month`.
    public static func reportDue(_ month: ReportMonth) -> CivilDate { month.next.first.addingDays(9) }

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
            if let finding = lateDecision(certNo: certNo, record: suspension.id, what: "暂停", cause: suspension.causeVerifiedOn,
                                          decided: suspension.startOn, limit: limit, clause: "9.3.2.1") {
                findings.append(finding)
            }
        }
        for withdrawal in file.withdrawals where withdrawal.decidedOn <= date {
            if let finding = lateDecision(certNo: certNo, record: withdrawal.id, what: "撤销", cause: withdrawal.causeVerifiedOn,
                                          decided: withdrawal.decidedOn, limit: limit, clause: "9.3.3.1") {
                findings.append(finding)
            }
        }
        for cycle in history.cycles where cycle.decision <= date && cycle.validThrough != cycle.ruleValidThrough {
            findings.append(Finding(kind: .data, certificate: certNo, record: cycle.audit.id, clause: "5",
                                    message: "证书所载有效期 \(cycle.validThrough) 与规则计算的 \(cycle.ruleValidThrough)（认证决定日 \(cycle.decision) 加 3 年减 1 日）不一致，已按证书所载日期处理"))
        }
        if let follow = licenceFollowUp(file: file, on: date) { findings.append(follow) }
        return findings
    }

    /// RULES §8: a suspension for a pending licence (reason 5) has no 6-month limit; staff are
    /// reminded every `licencePendingReminderDays` days from its start until it is lifted or the
    /// certificate withdrawn.
    func licenceFollowUp(file: CertificateFile, on date: CivilDate) -> Finding? {
        let every = settings.licencePendingReminderDays
        guard every > 0, !file.withdrawals.contains(where: { $0.decidedOn <= date }) else { return nil }
        for suspension in file.suspensions where suspension.reason == Suspension.licenceRenewalReason && suspension.isInForce(on: date) {
            let days = suspension.startOn.days(to: date)
            guard days > 0, days % every == 0 else { continue }
            return Finding(kind: .followUp, certificate: file.certificate.certNo, record: suspension.id, clause: "9.3.2.2",
                           message: "证书因许可证办理中（第 9.3.2.1 条第（5）项）自 \(suspension.startOn) 起暂停，已满 \(days) 天：请向组织核实许可办理进展，许可已取得的恢复证书，未获许可的依据第 9.3.3.1 条作出撤销决定")
        }
        return nil
    }

    private func lateDecision(certNo: String, record: String, what: String, cause: CivilDate?, decided: CivilDate,
                              limit: Int, clause: String) -> Finding? {
        guard let cause else { return nil }
        let deadline = calendar.addingWorkingDays(limit, to: cause)
        guard decided > deadline.date else { return nil }
        let taken = calendar.workingDays(after: cause, through: decided)
        return Finding(kind: .compliance, certificate: certNo, record: record, clause: clause,
                       message: "\(what)决定 \(record) 于 \(decided) 作出，距原因核实（\(cause)）已 \(taken.value) 个工作日，超过 \(limit) 个工作日的期限（应不迟于 \(deadline.date)）",
                       provisional: deadline.provisional || taken.provisional)
    }
}
