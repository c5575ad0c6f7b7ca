public import CertCycleCore
public import CertCycleRegister
import Foundation

/// `certcycle ledger rollback --after DATE`: undoes the runs of days after DATE, the repair for
/// a register that a far-future `--as-of` (or a clock that jumped) left "done" until then.
///
/// What it removes keeps everything verifiable:
/// - the ledger entries of those days, which are its tail (a run appends day after day), so the
///   entries that stay are still an unbroken hash chain; a ledger where a later entry is for an
///   earlier day is refused rather than cut in the middle;
/// - the outbox events effective after DATE that no endpoint has accepted (a pending event would
///   hold back every later event of its certificate); events already delivered cannot be
///   recalled and are reported;
/// - the notice folders of those days are moved aside as `YYYY-MM-DD.rolled-back-N`, never
///   deleted, so `ledger verify` passes and the files stay for inspection.
///
/// The ledger and outbox change in one transaction; the folders move after it. A rollback
/// interrupted between the two is finished by running it again.
public struct LedgerRollback {
    public let register: any Register
    public let notices: NoticeFolderWriter

    public init(register: any Register, notices: NoticeFolderWriter) {
        self.register = register
        self.notices = notices
    }

    /// What a rollback would remove.
    public struct Plan: Sendable {
        public var after: CivilDate
        /// The first ledger entry to remove, nil when none is after the date.
        public var firstSeq: Int?
        public var entries = 0
        /// Days with a completed run after the date.
        public var days: [CivilDate] = []
        /// Notice folders (names) of days after the date, recorded or not.
        public var folders: [String] = []
        /// Folders of letters issued on purpose (`manual/YYYY-MM-DD-SNN`) dated after the date.
        public var manualFolders: [String] = []
        /// Monthly reports' folders under `NOTICES/reports/` whose records are removed.
        public var reportFolders: [String] = []

        public var isEmpty: Bool { firstSeq == nil && folders.isEmpty && manualFolders.isEmpty && reportFolders.isEmpty }
    }

    public struct Outcome: Sendable {
        public var plan: Plan
        public var eventsRemoved = 0
        public var eventsDelivered = 0
        /// Where each folder went.
        public var movedFolders: [String] = []
    }

    /// Reads what a rollback after `date` would remove; changes nothing.
    public func plan(after date: CivilDate) throws -> Plan {
        var plan = Plan(after: date)
        var mixed: LedgerEntry?
        try register.forEachLedgerEntry { entry in
            if entry.asOf > date {
                if plan.firstSeq == nil { plan.firstSeq = entry.seq }
                plan.entries += 1
                if entry.kind == .run { plan.days.append(entry.asOf) }
                if entry.kind == .report,
                   let object = try? JSONSerialization.jsonObject(with: Data(entry.payload.utf8)) as? [String: Any],
                   let folder = object["folder"] as? String, folder.hasPrefix(MonthlyReportWriter.reportsFolder + "/") {
                    plan.reportFolders.append(String(folder.dropFirst(MonthlyReportWriter.reportsFolder.count + 1)))
                }
            } else if plan.firstSeq != nil, mixed == nil {
                mixed = entry
            }
        }
        if let mixed, let first = plan.firstSeq {
            throw RunnerError(.usage, "ledger entry \(mixed.seq) (for \(mixed.asOf)) was written after entry \(first), which is for a day after \(date): "
                + "removing the later days would cut the hash chain in the middle, so nothing was changed; choose a later --after date")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: notices.root)) ?? []
        plan.folders = names.filter { name in
            guard name.utf8.count == 10, let day = CivilDate(parsing: name) else { return false }
            return day > date
        }.sorted()
        let manual = (try? FileManager.default.contentsOfDirectory(atPath: notices.root + "/" + NightlyRun.manualFolder)) ?? []
        plan.manualFolders = manual.filter { name in
            guard name.utf8.count == 14, let day = CivilDate(parsing: name.prefix(10)) else { return false }
            return day > date
        }.sorted()
        return plan
    }

    /// Removes what `plan(after:)` finds, holding the run lock so that no run works meanwhile.
    public func apply(after date: CivilDate, holder: String) throws -> Outcome {
        let lock = try runLock(register, holder: holder, then: "the rollback stops. Try again later")
        defer { lock.release() }
        let plan = try plan(after: date)
        var outcome = Outcome(plan: plan)
        (outcome.eventsRemoved, outcome.eventsDelivered) = try register.write { writer in
            if let first = plan.firstSeq { try writer.removeLedgerEntries(fromSeq: first) }
            return try writer.removeUndeliveredEvents(effectiveAfter: date)
        }
        for folder in plan.folders {
            outcome.movedFolders.append(try notices.setAside(folder, as: "rolled-back"))
        }
        let manual = NoticeFolderWriter(root: notices.root + "/" + NightlyRun.manualFolder)
        for folder in plan.manualFolders {
            outcome.movedFolders.append(try manual.setAside(folder, as: "rolled-back"))
        }
        let reports = NoticeFolderWriter(root: notices.root + "/" + MonthlyReportWriter.reportsFolder)
        for folder in plan.reportFolders where FileManager.default.fileExists(atPath: reports.folderPath(folder)) {
            outcome.movedFolders.append(try reports.setAside(folder, as: "rolled-back"))
        }
        return outcome
    }
}
