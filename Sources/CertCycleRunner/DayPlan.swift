public import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCyclePublish

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

    /// The status-letter key of Jobs/runner.toml this change calls for, if any: every public
    /// change but the issue and a renewal (the certificate itself is sent), RULES §8.
    var letterKey: String? {
        switch change.kind {
        case .suspended: "suspended"
        case .withdrawn: "withdrawn"
        case .expired: "expired"
        case .restored: "restored"
        case .scopeChanged: change.scopeReduced ? "scope_reduced" : "scope_restored"
        case .starChanged: change.removesStar ? "star_removed" : nil
        case .issued, .renewed: nil
        }
    }
}

/// What one day's scan found, before the ledger says what is new.
struct DayScan {
    var date: CivilDate
    var obligations: [FoundObligation] = []
    var changes: [FoundChange] = []
    var findings: [Finding] = []
}

/// A record to add to the ledger for the day; its payload names the letter written for it,
/// which is known only once the day's letters are numbered and rendered.
struct PlannedRecord {
    var kind: String
    var key: String
    var payload: (Letter?) -> String
    /// The index in `DayPlan.drafts` of the letter that goes with the record.
    var draft: Int?
}

/// A letter the day will write, before its reference number is given.
struct LetterDraft {
    var fileName: String
    var organization: String
    var organizationName: String?
    var template: String
    var context: [String: Any]
    /// The organisation's `contact_email`, as the register holds it (checked again before use).
    var contactEmail: String? = nil
}

/// What one day brings, worked out from the day's scan and what the ledger already holds,
/// before anything is rendered or written: the digest's rows, the records to add, the letters
/// to write, the events to queue.
struct DayPlan {
    var rows: [DigestRow] = []
    var records: [PlannedRecord] = []
    var drafts: [LetterDraft] = []
    var changeRows: [StatusChangeRow] = []
    var events: [(OutboxEvent, [String])] = []
    var findings: [Finding] = []
}

/// How far an obligation has gone: upcoming < due < each reminder (nearest the due date last)
/// < overdue. A letter of a catch-up is written only if the obligation has not gone further by
/// the run's last day (RULES §8).
enum Progress {
    static func rank(stage: Stage) -> Int {
        switch stage {
        case .upcoming: 0
        case .due: 1000
        case .overdue: 3000
        }
    }

    static func rank(reminderDays days: Int) -> Int { 2000 - days }
}
