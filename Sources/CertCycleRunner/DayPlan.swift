public import CertCycleCore
import CertCycleNotices
import CertCycleRegister

/// An open obligation found by the day's scan, with what its letter needs.
struct FoundObligation {
    var obligation: Obligation
    var organization: Organization?
    var certificate: Certificate?
    var validThrough: CivilDate?
    var star: StarGrade

    /// Identifies the obligation across days: a new opening date is a new obligation (a new
    /// cycle, or the next surveillance after one has been done).
    var key: String {
        "\(obligation.kind.rawValue)|\(obligation.subject)|\(obligation.record ?? "")|\(obligation.opens)"
    }
}

/// A certificate whose public state changed on the day.
struct FoundChange {
    var change: PublicChange
    var certificate: Certificate
    var organization: Organization?
    /// The suspension behind a `suspended` status.
    var suspension: Suspension?
    var issuedOn: CivilDate

    var key: String { "\(certificate.certNo)|\(change.date)" }

    /// The status-letter key of Jobs/runner.toml this change calls for, if any.
    var letterKey: String? {
        switch change.kind {
        case .suspended: "suspended"
        case .withdrawn: "withdrawn"
        case .expired: "expired"
        case .restored: "restored"
        case .issued, .renewed, .scopeChanged, .starChanged: nil
        }
    }
}

/// What one day's scan found, before the ledger says what is new.
struct DayScan {
    var obligations: [FoundObligation] = []
    var changes: [FoundChange] = []
    var findings: [Finding] = []
}

/// A record to add to the ledger for the day, with the letter written for it.
struct PlannedRecord {
    var kind: String
    var key: String
    var payload: String
}
