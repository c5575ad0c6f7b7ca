import CertCycleCore
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
    var key: String { Self.key(obligation) }

    static func key(_ obligation: Obligation) -> String {
        "\(obligation.kind.rawValue)|\(obligation.subject)|\(obligation.record ?? "")|\(obligation.opens)"
    }
}

/// What a letter for an obligation of the day's scan needs besides its digest row. The
/// certificate's and the organisation's records are not kept (a million of them would not fit
/// a small server): a letter reads them again (`Register.certificateFile`).
struct ObligationFacts {
    var certNo: String?
    var validThrough: CivilDate?
    var star: StarGrade
    /// Boxed: an organisation is some ninety bytes, which every obligation's facts would carry,
    /// and only the few obligations of no certificate have one.
    private var holder: Holder?

    init(certNo: String?, validThrough: CivilDate?, star: StarGrade, organization: Organization? = nil) {
        self.certNo = certNo
        self.validThrough = validThrough
        self.star = star
        holder = organization.map(Holder.organization)
    }

    /// Only for an obligation of no certificate (an application's, an appeal's): its organisation.
    var organization: Organization? {
        guard case .organization(let organization)? = holder else { return nil }
        return organization
    }

    private indirect enum Holder {
        case organization(Organization)
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

/// What one day's scan found, before the ledger says what is new: every open obligation as its
/// digest row (not new yet), with `facts[i]` beside `rows[i]`.
struct DayScan {
    var date: CivilDate
    var rows: [DigestRow] = []
    var facts: [ObligationFacts] = []
    var changes: [FoundChange] = []
    var findings: [Finding] = []
}

/// A record to add to the ledger for the day; its payload names the letter written for it,
/// which is known only once the day's letters are numbered and rendered. Kept small (a first
/// night records every open obligation): key and payload are made from the row when written.
struct PlannedRecord {
    enum Subject {
        /// A stage (or reminder) of the obligation of `DayPlan.rows[row]`.
        case stage(row: Int, stage: String)
        /// Boxed: a change is some hundred bytes, and a first night plans a record for every open
        /// obligation, each as large as the largest case otherwise.
        indirect case change(FoundChange)
    }

    var subject: Subject
    /// The index in `DayPlan.drafts` of the letter that goes with the record.
    var draft: Int?

    var kind: LedgerKind {
        switch subject {
        case .stage: .stage
        case .change: .status
        }
    }
}

/// A letter the day will write, before its reference number is given. Its template context is
/// made only when the letter is rendered (`context()`): a first night drafts thousands of
/// letters, and their contexts would not all fit a small server at once.
struct LetterDraft {
    var fileName: String
    var organization: String
    var organizationName: String?
    var template: String
    var context: () -> [String: Any]
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

    func key(_ record: PlannedRecord) -> String {
        switch record.subject {
        case .stage(let row, let stage): FoundObligation.key(rows[row].obligation) + "#" + stage
        case .change(let found): found.key
        }
    }

    func payload(_ record: PlannedRecord, letter: WrittenLetter?) -> String {
        switch record.subject {
        case .stage(let row, let stage): NightlyRun.stagePayload(rows[row].obligation, stage: stage, letter: letter)
        case .change(let found): NightlyRun.changePayload(found, letter: letter)
        }
    }

    /// Puts the rows in staff order (overdue first), as the digest lists them, keeping the
    /// records pointing at their rows. Sorts indices and moves each row once, in place: a second
    /// array of a million rows would double the day's memory.
    mutating func sortRows() {
        var order = Array(rows.indices)
        order.sort { Obligation.staffOrder(rows[$0].obligation, rows[$1].obligation) }
        var position = [Int](repeating: 0, count: rows.count)
        for (new, old) in order.enumerated() { position[old] = new }
        for i in records.indices {
            if case .stage(let row, let stage) = records[i].subject { records[i].subject = .stage(row: position[row], stage: stage) }
        }
        // Follow each cycle of the permutation: rows[new] takes the row at order[new].
        var placed = [Bool](repeating: false, count: rows.count)
        for start in rows.indices where !placed[start] {
            let first = rows[start]
            var new = start
            while true {
                placed[new] = true
                let old = order[new]
                if old == start {
                    rows[new] = first
                    break
                }
                rows[new] = rows[old]
                new = old
            }
        }
    }
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
