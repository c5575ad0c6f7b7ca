/// The register's records, as staff keep them (INTERFACE.md "Register files").
///
/// These are plain values: validation of ids and ranges happens at import, and every rule
/// reads them "as of" a date (RULES §1: only what is dated on or before D has happened).

public struct Organization: Hashable, Sendable {
    public var id: String
    public var name: String
    public var address: String?
    public var creditCode: String?
    /// Service-related headcount (Appendix A notes 1–2).
    public var employees: Int
    public var contactEmail: String?

    public init(id: String, name: String, address: String? = nil, creditCode: String? = nil, employees: Int, contactEmail: String? = nil) {
        self.id = id
        self.name = name
        self.address = address
        self.creditCode = creditCode
        self.employees = employees
        self.contactEmail = contactEmail
    }
}

public struct Certificate: Hashable, Sendable {
    public static let defaultStandard = "GB/T 27922-2011"

    public var certNo: String
    public var orgId: String
    public var scope: String
    /// Standard with its full version number (12.1).
    public var standard: String
    public var serviceSites: [String]
    /// The printed expiry, only when it differs from the rule (RULES §2).
    public var statedValidThrough: CivilDate?

    public init(certNo: String, orgId: String, scope: String, standard: String = Certificate.defaultStandard, serviceSites: [String] = [], statedValidThrough: CivilDate? = nil) {
        self.certNo = certNo
        self.orgId = orgId
        self.scope = scope
        self.standard = standard
        self.serviceSites = serviceSites
        self.statedValidThrough = statedValidThrough
    }
}

public enum AuditKind: String, CaseIterable, Hashable, Sendable {
    case initial, surveillance, recertification, special
    case scopeExtension = "scope_extension"

    /// Audits whose passing decision starts a certification cycle (clause 5).
    public var startsCycle: Bool { self == .initial || self == .recertification }
}

public struct Audit: Hashable, Sendable {
    public var id: String
    public var certNo: String
    public var kind: AuditKind
    public var onsiteStart: CivilDate?
    /// An audit counts from its on-site end date (RULES §4).
    public var onsiteEnd: CivilDate
    public var score: Double?
    public var deductions: Int?
    public var decisionDate: CivilDate?
    public var decidedBy: String?
    public var team: [String]
    public var manDays: Double?
    /// Due date of a special (extra) surveillance audit (7.2).
    public var dueOn: CivilDate?
    /// Why a special audit is made: the situation of 7.2 that arose (letters state it).
    public var reason: String?

    public init(id: String, certNo: String, kind: AuditKind, onsiteStart: CivilDate? = nil, onsiteEnd: CivilDate, score: Double? = nil, deductions: Int? = nil, decisionDate: CivilDate? = nil, decidedBy: String? = nil, team: [String] = [], manDays: Double? = nil, dueOn: CivilDate? = nil, reason: String? = nil) {
        self.id = id
        self.certNo = certNo
        self.kind = kind
        self.onsiteStart = onsiteStart
        self.onsiteEnd = onsiteEnd
        self.score = score
        self.deductions = deductions
        self.decisionDate = decisionDate
        self.decidedBy = decidedBy
        self.team = team
        self.manDays = manDays
        self.dueOn = dueOn
        self.reason = reason
    }

    /// The audit's evaluation under 6.5, when it has a score.
    public var evaluation: AuditEvaluation? {
        score.map { AuditEvaluation(score: $0, deductions: deductions ?? 0) }
    }
}

public struct Nonconformity: Hashable, Sendable {
    public var id: String
    public var certNo: String
    public var auditId: String?
    public var notifiedOn: CivilDate
    /// Stated due date; `notifiedOn + 2 months` when absent (7.5).
    public var dueOn: CivilDate?
    public var closedOn: CivilDate?

    public init(id: String, certNo: String, auditId: String? = nil, notifiedOn: CivilDate, dueOn: CivilDate? = nil, closedOn: CivilDate? = nil) {
        self.id = id
        self.certNo = certNo
        self.auditId = auditId
        self.notifiedOn = notifiedOn
        self.dueOn = dueOn
        self.closedOn = closedOn
    }
}

public struct Suspension: Hashable, Sendable {
    /// Reason (5) of 9.3.2.1: a licence renewal is pending; its suspension may last until the
    /// licensing decision, so the 6-month limit does not apply (9.3.2.2).
    public static let licenceRenewalReason = 5

    public var id: String
    public var certNo: String
    /// 1–7, the items of clause 9.3.2.1.
    public var reason: Int
    public var causeVerifiedOn: CivilDate?
    public var startOn: CivilDate
    public var liftedOn: CivilDate?
    /// Set when only part of the scope is suspended: the scope that stays certified.
    public var reducedScope: String?

    public init(id: String, certNo: String, reason: Int, causeVerifiedOn: CivilDate? = nil, startOn: CivilDate, liftedOn: CivilDate? = nil, reducedScope: String? = nil) {
        self.id = id
        self.certNo = certNo
        self.reason = reason
        self.causeVerifiedOn = causeVerifiedOn
        self.startOn = startOn
        self.liftedOn = liftedOn
        self.reducedScope = reducedScope
    }

    /// In force on `date`: started on or before it and not lifted on or before it.
    public func isInForce(on date: CivilDate) -> Bool {
        startOn <= date && !(liftedOn.map { $0 <= date } ?? false)
    }
}

public struct Withdrawal: Hashable, Sendable {
    public var id: String
    public var certNo: String
    /// 1–10, the items of clause 9.3.3.1.
    public var reason: Int
    public var causeVerifiedOn: CivilDate?
    public var decidedOn: CivilDate
    public var recalledOn: CivilDate?

    public init(id: String, certNo: String, reason: Int, causeVerifiedOn: CivilDate? = nil, decidedOn: CivilDate, recalledOn: CivilDate? = nil) {
        self.id = id
        self.certNo = certNo
        self.reason = reason
        self.causeVerifiedOn = causeVerifiedOn
        self.decidedOn = decidedOn
        self.recalledOn = recalledOn
    }
}

public enum ApplicationKind: String, CaseIterable, Hashable, Sendable {
    case initial, recertification, change
    case scopeExtension = "scope_extension"
}

public enum ApplicationOutcome: String, CaseIterable, Hashable, Sendable {
    case pending, accepted, withdrawn
    case notAccepted = "not_accepted"
}

public struct Application: Hashable, Sendable {
    public var id: String
    public var orgId: String
    public var certNo: String?
    public var kind: ApplicationKind
    public var receivedOn: CivilDate
    public var reviewedOn: CivilDate?
    public var outcome: ApplicationOutcome?
    public var notifiedOn: CivilDate?
    /// Why an application was found not acceptable (6.1.5): the notice states it.
    public var reason: String?

    public init(id: String, orgId: String, certNo: String? = nil, kind: ApplicationKind, receivedOn: CivilDate, reviewedOn: CivilDate? = nil, outcome: ApplicationOutcome? = nil, notifiedOn: CivilDate? = nil, reason: String? = nil) {
        self.id = id
        self.orgId = orgId
        self.certNo = certNo
        self.kind = kind
        self.receivedOn = receivedOn
        self.reviewedOn = reviewedOn
        self.outcome = outcome
        self.notifiedOn = notifiedOn
        self.reason = reason
    }
}

public struct Appeal: Hashable, Sendable {
    public var id: String
    public var certNo: String?
    public var orgId: String?
    public var receivedOn: CivilDate
    public var repliedOn: CivilDate?

    public init(id: String, certNo: String? = nil, orgId: String? = nil, receivedOn: CivilDate, repliedOn: CivilDate? = nil) {
        self.id = id
        self.certNo = certNo
        self.orgId = orgId
        self.receivedOn = receivedOn
        self.repliedOn = repliedOn
    }
}

/// A request to correct misuse of the certificate or mark (9.3.3.1(7)).
public struct MisuseCase: Hashable, Sendable {
    public var id: String
    public var certNo: String
    public var requestedOn: CivilDate
    public var correctedOn: CivilDate?

    public init(id: String, certNo: String, requestedOn: CivilDate, correctedOn: CivilDate? = nil) {
        self.id = id
        self.certNo = certNo
        self.requestedOn = requestedOn
        self.correctedOn = correctedOn
    }
}

/// Everything the register holds about one certificate: what the rules need to work out its
/// public state and obligations on any date.
public struct CertificateFile: Hashable, Sendable {
    public var certificate: Certificate
    public var organization: Organization?
    public var audits: [Audit]
    public var nonconformities: [Nonconformity]
    public var suspensions: [Suspension]
    public var withdrawals: [Withdrawal]
    /// Applications that name this certificate (recertification, scope extension, change).
    public var applications: [Application]
    public var misuseCases: [MisuseCase]

    public init(certificate: Certificate, organization: Organization? = nil, audits: [Audit] = [], nonconformities: [Nonconformity] = [], suspensions: [Suspension] = [], withdrawals: [Withdrawal] = [], applications: [Application] = [], misuseCases: [MisuseCase] = []) {
        self.certificate = certificate
        self.organization = organization
        self.audits = audits
        self.nonconformities = nonconformities
        self.suspensions = suspensions
        self.withdrawals = withdrawals
        self.applications = applications
        self.misuseCases = misuseCases
    }
}
