import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCyclePublish
import CertCycleRegister
import Foundation

/// Works out what is new on a day from the day's scan and what is already recorded: stages,
/// reminders and changes not in the ledger yet, with the letters they call for (a `DayPlan`).
/// It decides nothing else and writes nothing: what is recorded and the certificates' records
/// come in through the two lookups, so the plan depends only on its inputs.
///
/// On a register's first night, stages that began earlier are backlog (listed, recorded, no
/// letter); one letter per obligation per day, the latest that applies; in a catch-up, no letter
/// for a stage the obligation has left by the run's last day (RULES §8).
struct DayPlanner {
    var date: CivilDate
    var jobs: Jobs
    var head: LetterHead
    var endpoints: [EndpointSettings]
    /// When the events found are stamped (`foundAt`; the wall clock, never for what is decided).
    var foundAt: Date
    var firstNight: Bool
    /// Where each obligation stands on a catch-up's last day (`NightlyRun.progress`), if this
    /// day is not that day.
    var finalProgress: [String: Int]?
    /// Ledger keys the run's earlier days (of a dry run) would have recorded.
    var recordedThisRun: Set<String>
    /// Of the given ledger keys of `kind`, those already recorded.
    var recorded: (_ kind: LedgerKind, _ keys: [String]) throws -> Set<String>
    /// A certificate's records, read again for its letter.
    var certificateFile: (_ certNo: String) throws -> CertificateFile?

    /// How many obligations' stages one ledger query asks about.
    static let ledgerSlice = 20_000

    /// Takes the scan's rows over (marking the new and the backlog ones) rather than copying them,
    /// and asks the ledger about a slice of obligations at a time, so that a day of a million
    /// open obligations holds each row once.
    func plan(_ scan: inout DayScan) throws -> DayPlan {
        // From 1 November, a missing calendar for next year is a data warning every day (RULES §9).
        let calendarWarnings = MissingCalendarWarning.due(asOf: date, calendar: jobs.calendar).map {
            [Finding(kind: .data, certificate: "—", record: "Jobs/" + $0.file, clause: "《全国年节及纪念日放假办法》", message: $0.text)]
        } ?? []
        var plan = DayPlan(findings: scan.findings + calendarWarnings)
        plan.rows = scan.rows
        scan.rows = []
        let facts = scan.facts
        scan.facts = []
        var letters = LetterReader(certificateFile: certificateFile)
        var start = 0
        while start < plan.rows.count {
            let slice = start..<min(start + Self.ledgerSlice, plan.rows.count)
            let recordedSlice = try recorded(.stage, stageKeys(of: plan.rows[slice]))
            let isRecorded = { (key: String) in recordedSlice.contains(key) || recordedThisRun.contains(key) }
            for i in slice { try planObligation(row: i, fact: facts[i], recorded: isRecorded, letters: &letters, into: &plan) }
            start = slice.upperBound
        }
        let recordedChanges = try recorded(.status, scan.changes.map(\.key))
        for found in scan.changes { planChange(found, recorded: recordedChanges.contains(found.key), into: &plan) }
        plan.sortRows()
        Self.numberDuplicateNames(&plan.drafts)
        return plan
    }

    /// Every ledger key a row's obligation could have recorded: its stages and its reminders.
    private func stageKeys(of rows: ArraySlice<DigestRow>) -> [String] {
        var keys: [String] = []
        for row in rows {
            let o = row.obligation
            let key = FoundObligation.key(o)
            for stage in Stage.allCases { keys.append(key + "#" + stage.rawValue) }
            for days in jobs.letters[o.kind]?.reminderDaysBeforeDue ?? [] { keys.append(key + "#reminder-\(days)") }
        }
        return keys
    }

    /// The records of one obligation's row (its new stage, the reminders crossed) and the one
    /// letter that goes with the latest of them.
    private func planObligation(row i: Int, fact: ObligationFacts, recorded: (String) -> Bool,
                                letters: inout LetterReader, into plan: inout DayPlan) throws {
        let o = plan.rows[i].obligation
        let obligationKey = FoundObligation.key(o)
        let letterPlan = jobs.letters[o.kind] ?? LetterPlan()
        let isNew = !recorded(obligationKey + "#" + o.stage.rawValue)
        plan.rows[i].isNewStage = isNew
        plan.rows[i].isBacklog = firstNight && isNew && startOfStage(o) < date
        var candidate = LetterCandidate(obligationKey: obligationKey, planner: self)
        if isNew {
            // First sight of an obligation already past a stage that has a letter (the
            // surveillance notice for one first seen while due): that letter goes out now.
            var template = letterPlan.stages[o.stage]
            if template == nil {
                let earlierSeen = Stage.allCases.contains { $0 != o.stage && recorded(obligationKey + "#" + $0.rawValue) }
                if !earlierSeen { template = letterPlan.earlierStageTemplate(before: o.stage) }
            }
            plan.records.append(PlannedRecord(subject: .stage(row: i, stage: o.stage.rawValue)))
            candidate.offer(o.stage.rawValue, template, rank: Progress.rank(stage: o.stage), startsOn: startOfStage(o), record: plan.records.count - 1)
        }
        // Reminders while due: one letter for the nearest threshold crossed, every crossed one recorded.
        if o.stage == .due, letterPlan.reminder != nil {
            let fresh = letterPlan.crossedReminders(due: o.due, on: date).filter { !recorded(obligationKey + "#reminder-\($0)") }
            for days in fresh.sorted(by: >) {
                plan.records.append(PlannedRecord(subject: .stage(row: i, stage: "reminder-\(days)")))
                if days == fresh.min() {
                    candidate.offer("reminder-\(days)", letterPlan.reminder, rank: Progress.rank(reminderDays: days),
                                    startsOn: o.due.addingDays(-days), record: plan.records.count - 1)
                }
            }
        }
        // A certificate's holder is the organisation of the obligation (CertificationRules).
        guard let chosen = candidate.chosen, let org = o.organization else { return }
        let (organization, certificate) = try letters.records(fact)
        let (row, date, head) = (plan.rows[i], date, head)
        let context = {
            LetterContext.obligation(row, organization: organization, certificate: certificate, validThrough: fact.validThrough,
                                     asOf: date, head: head, star: fact.star)
        }
        plan.records[chosen.record].draft = plan.drafts.count
        plan.drafts.append(LetterDraft(fileName: LetterName.obligation(organization: org, subject: o.subject, kind: o.kind, stage: chosen.name, record: o.record),
                                       organization: org, organizationName: plan.rows[i].organizationName, template: chosen.template, context: context,
                                       contactEmail: organization?.contactEmail))
    }

    /// A change of public state: its row, and unless recorded, its record, its letter and its event.
    private func planChange(_ found: FoundChange, recorded: Bool, into plan: inout DayPlan) {
        plan.changeRows.append(StatusChangeRow(certificate: found.certificate.certNo, organizationName: found.organization?.name, change: found.change))
        guard !recorded, !recordedThisRun.contains(found.key) else { return }
        var record = PlannedRecord(subject: .change(found))
        if let letterKey = found.letterKey, let template = jobs.runner.statusLetters[letterKey] {
            let org = found.certificate.orgId
            let (date, head) = (date, head)
            let context = {
                LetterContext.statusChange(found.change, certificate: found.certificate, organization: found.organization,
                                           suspension: found.suspension, asOf: date, head: head)
            }
            let name = found.change.status == .active && found.change.kind != .restored
                ? LetterName.change(organization: org, certificate: found.certificate.certNo, key: letterKey)
                : LetterName.status(organization: org, certificate: found.certificate.certNo, status: found.change.status)
            record.draft = plan.drafts.count
            plan.drafts.append(LetterDraft(fileName: name, organization: org, organizationName: found.organization?.name,
                                           template: template, context: context, contactEmail: found.organization?.contactEmail))
        }
        plan.records.append(record)
        let event = CertificateEvents.event(for: found.change, certificate: found.certificate, organization: found.organization,
                                            issuedOn: found.issuedOn, foundAt: foundAt, suspension: found.suspension)
        let targets = endpoints.filter { $0.accepts(event.type) }.map(\.name)
        if !targets.isEmpty { plan.events.append((event, targets)) }
    }

    /// Two letters may not share a file name: in file-name order, the later gets -2, -3, ….
    static func numberDuplicateNames(_ drafts: inout [LetterDraft]) {
        var taken: Set<String> = []
        for i in drafts.indices.sorted(by: { (drafts[$0].fileName, $0) < (drafts[$1].fileName, $1) }) {
            let name = drafts[i].fileName
            var fileName = name
            var n = 2
            while taken.contains(fileName) {
                fileName = String(name.dropLast(4)) + "-\(n).txt"
                n += 1
            }
            taken.insert(fileName)
            drafts[i].fileName = fileName
        }
    }

    /// The first day of a stage: the day a letter for it is news.
    func startOfStage(_ o: Obligation) -> CivilDate {
        switch o.stage {
        case .upcoming: o.opens.addingDays(-jobs.settings.settings(for: o.kind).noticeDays)
        case .due: o.opens
        case .overdue: o.due.addingDays(1)
        }
    }
}

/// The letter an obligation's records call for: among the stage's letter and the nearest
/// reminder crossed, the later one, unless it is backlog or overtaken by the run's last day.
private struct LetterCandidate {
    let obligationKey: String
    let planner: DayPlanner
    private(set) var chosen: (name: String, template: String, rank: Int, record: Int)?

    init(obligationKey: String, planner: DayPlanner) {
        self.obligationKey = obligationKey
        self.planner = planner
    }

    mutating func offer(_ stage: String, _ template: String?, rank: Int, startsOn: CivilDate, record: Int) {
        guard let template else { return }
        if planner.firstNight, startsOn < planner.date { return }
        if let progress = planner.finalProgress, (progress[obligationKey] ?? Int.max) > rank { return }
        if let current = chosen, current.rank >= rank { return }
        chosen = (stage, template, rank, record)
    }
}

/// Reads a letter's certificate and organisation again, once per certificate: one
/// certificate's obligations are adjacent in the scan.
private struct LetterReader {
    let certificateFile: (String) throws -> CertificateFile?
    private var last: CertificateFile?

    init(certificateFile: @escaping (String) throws -> CertificateFile?) {
        self.certificateFile = certificateFile
    }

    mutating func records(_ fact: ObligationFacts) throws -> (Organization?, Certificate?) {
        guard let certNo = fact.certNo else { return (fact.organization, nil) }
        if last?.certificate.certNo != certNo { last = try certificateFile(certNo) }
        return (last?.organization, last?.certificate)
    }
}
