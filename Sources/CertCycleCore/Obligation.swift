/// The kinds of obligation the nightly run detects (RULES §4).
public enum ObligationKind: String, CaseIterable, Hashable, Sendable, Comparable {
    case surveillance
    case recertificationApplication = "recertification_application"
    case certificateExpiry = "certificate_expiry"
    case correctiveAction = "corrective_action"
    case suspensionLimit = "suspension_limit"
    case misuseCorrection = "misuse_correction"
    case appealReply = "appeal_reply"
    case applicationNotice = "application_notice"
    /// The body's own: the monthly report to CNCA (RULES §10).
    case regulatorReport = "regulator_report"

    public static func < (lhs: ObligationKind, rhs: ObligationKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The clause that creates the obligation.
    public var clause: String {
        switch self {
        case .surveillance: "7.1"
        case .recertificationApplication: "8.1"
        case .certificateExpiry: "5"
        case .correctiveAction: "7.5"
        case .suspensionLimit: "9.3.2.2"
        case .misuseCorrection: "9.3.3.1(7)"
        case .appealReply: "10"
        case .applicationNotice: "6.1.5"
        case .regulatorReport: "9.3.4"
        }
    }

    /// What the rules require once the obligation is overdue.
    public var escalation: Escalation {
        switch self {
        case .surveillance, .correctiveAction: .suspend
        case .suspensionLimit, .misuseCorrection: .withdraw
        case .certificateExpiry: .expire
        case .recertificationApplication, .appealReply, .applicationNotice, .regulatorReport: .none
        }
    }

    /// The clause that requires the escalation, when there is one.
    public var escalationClause: String? {
        switch self {
        case .surveillance: "9.3.2.1(4)"
        case .correctiveAction: "9.3.2.1(1)"
        case .suspensionLimit: "9.3.3.1(5)"
        case .misuseCorrection: "9.3.3.1(7)"
        case .certificateExpiry: "9.3.5"
        case .recertificationApplication, .appealReply, .applicationNotice, .regulatorReport: nil
        }
    }

    public var subjectType: SubjectType {
        switch self {
        case .appealReply: .appeal
        case .applicationNotice: .application
        case .regulatorReport: .body
        default: .certificate
        }
    }

    /// The name staff read in tables and digests.
    public var chineseName: String {
        switch self {
        case .surveillance: "监督审查"
        case .recertificationApplication: "再认证申请"
        case .certificateExpiry: "证书到期"
        case .correctiveAction: "不符合项整改"
        case .suspensionLimit: "暂停期限"
        case .misuseCorrection: "证书/标志误用纠正"
        case .appealReply: "申诉答复"
        case .applicationNotice: "不予受理通知"
        case .regulatorReport: "认监委月度报告"
        }
    }
}

/// What still applies to an overdue obligation whose own escalation has been taken.
public struct NextStep: Hashable, Sendable {
    public var escalation: Escalation
    /// The day from which the step applies (the end of the suspension limit), when known.
    public var from: CivilDate?
    /// The working-day deadline for the step, once `from` has passed.
    public var by: Dated?
    /// The clause that requires the step, e.g. `9.3.3.1(5)`.
    public var clause: String

    public init(escalation: Escalation, from: CivilDate?, by: Dated?, clause: String) {
        self.escalation = escalation
        self.from = from
        self.by = by
        self.clause = clause
    }
}

public enum SubjectType: String, Hashable, Sendable {
    /// `body`: the certification body's own obligation (the subject names what it is about,
    /// e.g. the report month `2026-11`).
    case certificate, appeal, application, body
}

public enum Escalation: String, Hashable, Sendable {
    case suspend, withdraw, expire, none

    public var chineseName: String {
        switch self {
        case .suspend: "暂停证书"
        case .withdraw: "撤销证书"
        case .expire: "证书失效"
        case .none: "提醒工作人员"
        }
    }
}

/// Where an obligation stands on the run's as-of date.
public enum Stage: String, CaseIterable, Hashable, Sendable, Comparable {
    /// In the notice period before it opens.
    case upcoming
    /// Open: opening ≤ D ≤ due.
    case due
    /// D > due and not fulfilled.
    case overdue

    /// Overdue first, then due, then upcoming: the order staff read them in.
    public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.urgency > rhs.urgency }

    private var urgency: Int {
        switch self {
        case .upcoming: 0
        case .due: 1
        case .overdue: 2
        }
    }

    public var chineseName: String {
        switch self {
        case .upcoming: "即将开始"
        case .due: "进行中"
        case .overdue: "已逾期"
        }
    }
}

/// One obligation on one date: a value the rules compute, never stored.
///
/// Kept small: a register of a million certificates has some hundred thousand open
/// obligations, each held in the day's digest. What only a few obligations have (an
/// escalation's deadline or the step after it, a suspension in force, a received date, a
/// reason) lives in one shared box, allocated only for them, behind properties of the same names.
public struct Obligation: Hashable, Sendable {
    public var subject: String
    public var subjectType: SubjectType
    public var kind: ObligationKind
    public var stage: Stage
    public var opens: CivilDate
    public var due: CivilDate
    public var escalation: Escalation
    /// The clause the obligation comes from (7.2 for an extra surveillance audit).
    public var clause: String
    /// The record behind the obligation (nonconformity, suspension, misuse case, special audit).
    public var record: String?
    /// The organisation concerned, when known.
    public var organization: String?
    /// On-site man-days a surveillance audit needs (hundredths), when the headcount is known.
    public var manDaysHundredths: Int?
    /// The register states the due date (a corrective action's `due_on`) instead of the rule's.
    public var dueStated: Bool = false
    /// The rarely set part; nil when all of it is empty.
    private var rare: RareBox?

    /// The working-day deadline for the escalation; only on an overdue suspend/withdraw.
    public var escalationBy: Dated? {
        get { rare?.value.escalationBy }
        set { update { $0.escalationBy = newValue } }
    }
    /// The day the escalation took effect, when it already has (RULES §8): an overdue
    /// obligation whose escalation is `suspend` on a day the certificate is suspended.
    public var escalationTaken: CivilDate? {
        get { rare?.value.escalationTaken }
        set { update { $0.escalationTaken = newValue } }
    }
    /// The step that still applies once `escalationTaken` is set (withdrawal at the end of the
    /// suspension limit, or following up a pending licence).
    public var nextStep: NextStep? {
        get { rare?.value.nextStep }
        set { update { $0.nextStep = newValue } }
    }
    /// The start of the suspension in force when the certificate is suspended on the day: a
    /// letter of any stage must not threaten a suspension already taken (RULES §8).
    public var certificateSuspendedSince: CivilDate? {
        get { rare?.value.certificateSuspendedSince }
        set { update { $0.certificateSuspendedSince = newValue } }
    }
    /// When the appeal or the application was received (the not-accepted notice names it).
    public var receivedOn: CivilDate? {
        get { rare?.value.receivedOn }
        set { update { $0.receivedOn = newValue } }
    }
    /// The register's reason for the obligation's record: the 7.2 situation of a special audit,
    /// or why an application is not acceptable.
    public var reason: String? {
        get { rare?.value.reason }
        set { update { $0.reason = newValue } }
    }

    public init(subject: String, subjectType: SubjectType, kind: ObligationKind, stage: Stage, opens: CivilDate, due: CivilDate, escalation: Escalation, escalationBy: Dated? = nil, clause: String, record: String? = nil, organization: String? = nil, manDaysHundredths: Int? = nil, escalationTaken: CivilDate? = nil, nextStep: NextStep? = nil) {
        self.subject = subject
        self.subjectType = subjectType
        self.kind = kind
        self.stage = stage
        self.opens = opens
        self.due = due
        self.escalation = escalation
        self.clause = clause
        self.record = record
        self.organization = organization
        self.manDaysHundredths = manDaysHundredths
        if escalationBy != nil || escalationTaken != nil || nextStep != nil {
            rare = RareBox(Rare(escalationBy: escalationBy, escalationTaken: escalationTaken, nextStep: nextStep))
        }
    }

    /// Changes the boxed part: a new box (a box is shared between copies, never changed in
    /// place), or none when nothing is left in it.
    private mutating func update(_ change: (inout Rare) -> Void) {
        var value = rare?.value ?? Rare()
        change(&value)
        rare = value == Rare() ? nil : RareBox(value)
    }

    private struct Rare: Hashable, Sendable {
        var escalationBy: Dated?
        var escalationTaken: CivilDate?
        var nextStep: NextStep?
        var certificateSuspendedSince: CivilDate?
        var receivedOn: CivilDate?
        var reason: String?
    }

    /// Compared and hashed by value, so that two obligations are equal whatever boxes hold them.
    private final class RareBox: Hashable, Sendable {
        let value: Rare
        init(_ value: Rare) { self.value = value }
        static func == (a: RareBox, b: RareBox) -> Bool { a.value == b.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }

    /// True when the obligation is a 7.2 extra surveillance audit (a special audit's).
    public var isExtraAudit: Bool { kind == .surveillance && clause == "7.2" }

    /// The escalation still to be taken: nil once it has been (`escalationTaken`) or when
    /// the rules name none.
    public var pendingEscalation: Escalation? {
        escalationTaken == nil && escalation != .none ? escalation : nil
    }

    /// True when a date shown for this obligation was computed without calendar data.
    public var provisional: Bool { escalationBy?.provisional ?? false }

    /// Calendar days from `date` to the due date (negative once overdue).
    public func daysRemaining(asOf date: CivilDate) -> Int { date.days(to: due) }

    /// Staff order: overdue first, then by due date, kind and subject.
    public static func staffOrder(_ a: Obligation, _ b: Obligation) -> Bool {
        if a.stage != b.stage { return a.stage < b.stage }
        if a.due != b.due { return a.due < b.due }
        if a.kind != b.kind { return a.kind < b.kind }
        if a.subject != b.subject { return a.subject < b.subject }
        return (a.record ?? "") < (b.record ?? "")
    }
}
