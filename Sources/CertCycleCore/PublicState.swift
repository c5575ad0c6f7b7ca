/// A certificate's public status (RULES §3).
public enum CertificateStatus: String, CaseIterable, Hashable, Sendable {
    case active, suspended, withdrawn, expired

    public var chineseName: String {
        switch self {
        case .active: "有效"
        case .suspended: "暂停"
        case .withdrawn: "撤销"
        case .expired: "过期失效"
        }
    }
}

public enum StarGrade: String, Hashable, Sendable {
    case fiveStar = "five_star"
    case none

    public var chineseName: String { self == .fiveStar ? "五星级" : "无" }
}

/// What is published about a certificate on a date: status, scope, star grade, validity.
public struct PublicState: Hashable, Sendable {
    public var certificate: String
    public var status: CertificateStatus
    /// First day of the unbroken run of days, ending on the as-of date, with this status.
    public var since: CivilDate
    public var star: StarGrade
    /// The certified scope; the reduced scope while a partial suspension is in force.
    public var scope: String
    public var validThrough: CivilDate
    /// The first certification decision (issue date of the certificate).
    public var issuedOn: CivilDate
    /// The clause behind the status: the suspension or withdrawal reason, or expiry.
    public var clause: String

    public init(certificate: String, status: CertificateStatus, since: CivilDate, star: StarGrade, scope: String, validThrough: CivilDate, issuedOn: CivilDate, clause: String) {
        self.certificate = certificate
        self.status = status
        self.since = since
        self.star = star
        self.scope = scope
        self.validThrough = validThrough
        self.issuedOn = issuedOn
        self.clause = clause
    }
}

/// Something staff should look at that is not an obligation: a decision taken later than the
/// rules allow, or register data that disagrees with a rule.
public struct Finding: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// A rule was not followed (a suspension decided more than 5 working days after its cause).
        case compliance
        /// The register disagrees with a rule (a printed expiry that differs from the rule's).
        case data
        /// Something staff must follow up on a schedule (a suspension for a pending licence).
        case followUp = "follow_up"
    }

    public var kind: Kind
    public var certificate: String
    public var record: String?
    public var clause: String
    public var message: String
    public var provisional: Bool

    public init(kind: Kind, certificate: String, record: String? = nil, clause: String, message: String, provisional: Bool = false) {
        self.kind = kind
        self.certificate = certificate
        self.record = record
        self.clause = clause
        self.message = message
        self.provisional = provisional
    }
}
