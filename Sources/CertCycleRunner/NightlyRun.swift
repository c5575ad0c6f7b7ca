public import CertCycleConfig
public import CertCycleCore
public import CertCycleNotices
import CertCyclePublish
public import CertCycleRegister
public import Foundation
public import Logging

/// `certcycle run`: the nightly job. For each day from the one after the last completed run up
/// to the as-of date, it scans the register, finds every obligation's new stage and every
/// certificate's change of public state, writes that day's notice folder (digest, CSV,
/// letters, manifest) and records all of it in the ledger in one transaction.
///
/// Idempotent: a day that is already recorded is never done again, and a stage that has had
/// its letter never gets another. Crash-safe: the folder is renamed into place before the
/// transaction commits; a folder left by a run killed between the two is adopted when it is
/// what the rerun would write, and set aside otherwise.
public struct NightlyRun {
    public let register: any Register
    public let jobs: Jobs
    public let templates: LetterTemplates
    public let notices: NoticeFolderWriter
    public var logger: Logger
    /// Describes this process in the lock file and the run records.
    public var holder: String
    /// The wall clock, for the run records only (never for what is computed).
    public var now: @Sendable () -> Date
    /// Webhook endpoints: each day's status changes are queued for those that want them.
    public var endpoints: [EndpointSettings] = []
    /// E-mail: each day's letters and digest are queued in the outbox with the day's records.
    public var mail: MailSettings?
    /// Today in the configured time zone. When set, the run refuses an as-of date later than
    /// tomorrow, and a register whose last completed day is, unless `allowFuture`: a run for
    /// 9999-12-31 would make every later night "already done", silently, for ever.
    public var today: CivilDate?
    public var allowFuture = false
    /// Days done of a catch-up (a terminal shows it).
    public var progress: WorkProgress = .none

    public init(register: any Register, jobs: Jobs, templates: LetterTemplates, notices: NoticeFolderWriter, logger: Logger,
                holder: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.register = register
        self.jobs = jobs
        self.templates = templates
        self.notices = notices
        self.logger = logger
        self.holder = holder
        self.now = now
    }

    /// Every template the job definitions name must exist: a run with a missing letter would
    /// record stages without their letters.
    public static func checkTemplates(_ jobs: Jobs, _ templates: LetterTemplates) throws(RunnerError) {
        if let misspelt = templates.unknownVariables().first {
            throw RunnerError(.configuration, misspelt.description)
        }
        for kind in ObligationKind.allCases {
            for name in jobs.letters[kind]?.templates ?? [] where !templates.has(name) {
                throw RunnerError(.configuration, "\(jobs.directory)/obligations/\(kind.rawValue).toml: letter template '\(name)' is not in \(jobs.templatesDirectory)")
            }
        }
        for (key, name) in jobs.runner.statusLetters.sorted(by: { $0.key < $1.key }) where !templates.has(name) {
            throw RunnerError(.configuration, "\(jobs.directory)/runner.toml: status_letters.\(key) template '\(name)' is not in \(jobs.templatesDirectory)")
        }
    }

    /// Runs the job up to `asOf`. With `dryRun`, works everything out and changes nothing.
    public func run(asOf: CivilDate, dryRun: Bool = false) throws -> RunReport {
        let lock = try prepare(asOf: asOf, dryRun: dryRun)
        defer { lock?.release() }
        var report = RunReport(asOf: asOf, dryRun: dryRun)
        let last = try register.lastCompletedDay()
        if let tomorrow = today?.addingDays(1), let last, !allowFuture, last > tomorrow {
            throw RunnerError(.state, "the register's last completed run is for \(last), later than tomorrow (\(tomorrow)), so every night "
                + "would be 'already done'; remove the future days with `certcycle ledger rollback --after \(tomorrow)`, then run again")
        }
        // What a killed run left half-written goes first, even when there is nothing else to do.
        if !dryRun { try notices.removeAbandonedTemporaryFolders() }
        guard last.map({ $0 < asOf }) ?? true else {
            logger.info("nothing to do: \(asOf) is already done", metadata: ["last_completed": "\(last!)"])
            report.alreadyDone = true
            // A run killed after its last commit may not have rewritten the index page.
            if !dryRun { writeIndex() }
            return report
        }
        let first = firstDay(after: last, asOf: asOf, report: &report)
        if !dryRun, !endpoints.isEmpty {
            // A new endpoint first gets every certificate's state as of the day before this run's days.
            try EndpointSync(register: register, jobs: jobs, logger: logger, now: now).syncNew(endpoints, asOf: first.addingDays(-1))
        }
        report.days = try runDays(from: first, through: asOf, firstNight: last == nil, dryRun: dryRun)
        if !dryRun, !report.days.isEmpty {
            writeIndex()
            writeForecast(asOf)
        }
        return report
    }

    /// What must hold before a run may begin: the templates, a date not in the future, the run
    /// lock, and (both before any notice is written: a notice must never go out for a day the
    /// register cannot record) writable notices and register. Returns the lock, if one is taken.
    private func prepare(asOf: CivilDate, dryRun: Bool) throws -> (any RunLock)? {
        try Self.checkTemplates(jobs, templates)
        if let tomorrow = today?.addingDays(1), !allowFuture, asOf > tomorrow {
            throw RunnerError(.usage, "--as-of \(asOf) is later than tomorrow (\(tomorrow) in the configured time zone); "
                + "a run for it would mark every night until then as done. Give --allow-future if that is really meant")
        }
        guard !dryRun else { return nil }
        let lock: any RunLock
        do {
            lock = try register.acquireRunLock(holder: holder)
        } catch let held as RunLockHeld {
            throw RunnerError(.locked, "\(held.description); this run stops. Try again later")
        } catch let error as RegisterError {
            throw RunnerError(.unwritable, "\(error.message); check the permissions of the register's folder, then run again")
        }
        do {
            do { try notices.checkWritable() } catch let error as NoticeFolderError { throw RunnerError(.unwritable, error.message) }
            do { try register.checkWritable() } catch let error as RegisterError { throw RunnerError(.unwritable, error.message) }
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    /// The run's first day: the one after the last completed run (the as-of date on a first
    /// night), unless that is more than `max_catch_up_days` back.
    private func firstDay(after last: CivilDate?, asOf: CivilDate, report: inout RunReport) -> CivilDate {
        let first = last?.addingDays(1) ?? asOf
        let bound = jobs.runner.maxCatchUpDays
        guard first.days(to: asOf) + 1 > bound else { return first }
        let skippedTo = asOf.addingDays(-bound)
        report.skipped = first...skippedTo
        logger.warning("the gap since the last run is longer than max_catch_up_days; earlier days are not caught up",
                       metadata: ["skipped_from": "\(first)", "skipped_to": "\(skippedTo)", "max_catch_up_days": "\(bound)"])
        return skippedTo.addingDays(1)
    }

    /// Does each day from `first` to `last` in turn.
    private func runDays(from first: CivilDate, through last: CivilDate, firstNight: Bool, dryRun: Bool) throws -> [DayReport] {
        var state = RunState(dryRun: dryRun, chain: LedgerChain(after: try register.lastLedgerEntry(kind: nil)),
                             previousManifest: try register.lastLedgerEntry(kind: .notice).flatMap { Self.manifestHash(ofNoticePayload: $0.payload) })
        // A catch-up knows where each obligation stands on its last day: a letter overtaken by
        // then is not written (RULES §8). That day's scan is kept for the day itself.
        let adoptedOn = firstNight ? first : nil
        let finalScan = first < last ? try scanRegister(on: last, adoptedOn: adoptedOn) : nil
        state.finalProgress = finalScan.map(progress)
        var reports: [DayReport] = []
        var day = first
        while day <= last {
            // The scan goes straight into the day (nothing else holds it), which takes its rows over.
            let scan = day == last ? try finalScan ?? scanRegister(on: day, adoptedOn: adoptedOn) : try scanRegister(on: day, adoptedOn: adoptedOn)
            let outcome = try runDay(day, scan: scan, firstNight: firstNight && day == first, state: &state)
            reports.append(outcome)
            if first < last { progress("catching up \(day)", first.days(to: day) + 1, of: first.days(to: last) + 1) }
            logger.info("day done", metadata: [
                "as_of": "\(day)", "obligations": "\(outcome.obligations)", "new_stages": "\(outcome.newStages)",
                "letters": "\(outcome.letters)", "status_changes": "\(outcome.statusChanges)", "folder": "\(outcome.folder)",
                "dry_run": "\(dryRun)",
            ])
            day = day.addingDays(1)
        }
        return reports
    }

    /// The month's forecast page the digests link (RULES §10), written by the month's first run:
    /// one more pass over the register once a month, not every night. Like the index, it is not
    /// in the ledger; a failure is logged and the run goes on.
    private func writeForecast(_ date: CivilDate) {
        let name = NoticeRenderer.forecastFileName(date)
        guard !FileManager.default.fileExists(atPath: notices.root + "/" + name) else { return }
        do {
            var forecast = Forecast(rules: jobs.rules, asOf: date, months: 12)
            try register.forEachCertificate { forecast.add(CertificateHistory($0)) }
            try notices.writeRootPage(name, ForecastOutput.html(forecast.months, bodyName: jobs.runner.bodyName, asOf: date))
        } catch {
            logger.warning("cannot write the month's forecast page", metadata: ["file": "\(name)", "error": "\(error)"])
        }
    }

    /// `NOTICES/index.html`, linking every day's folder.
    private func writeIndex() {
        do {
            try notices.writeIndex(NoticeRenderer.indexHTML(bodyName: jobs.runner.bodyName, days: notices.dayFolders()))
        } catch {
            logger.warning("cannot write the notices index page", metadata: ["error": "\(error)"])
        }
    }

    // MARK: One day

    /// Plans the day, renders it (the folder written aside), then commits it: the folder
    /// placed, and its records, events and mail in one transaction.
    private func runDay(_ date: CivilDate, scan: consuming DayScan, firstNight: Bool, state: inout RunState) throws -> DayReport {
        let plan = try planner(date, firstNight: firstNight, state: state).plan(&scan)
        let day = try render(plan, on: date, state: state)
        guard !state.dryRun else {
            day.staged.discard()
            for record in plan.records { state.recordedThisRun.insert(plan.key(record)) }
            state.previousManifest = day.manifestHash
            return day.outcome
        }
        return try commit(day, plan, state: &state)
    }

    /// The day's planner, asking this register what is recorded.
    func planner(_ date: CivilDate, firstNight: Bool, state: RunState) -> DayPlanner {
        DayPlanner(date: date, jobs: jobs, head: letterHead, endpoints: endpoints, foundAt: now(), firstNight: firstNight,
                   finalProgress: state.finalProgress, recordedThisRun: state.recordedThisRun,
                   recorded: { [register] kind, keys in try register.ledgerKeys(kind: kind, among: keys) },
                   certificateFile: { [register] certNo in try register.certificateFile(certNo) })
    }

    /// The day's letters numbered and rendered, and its folder written aside as rendered (a dry
    /// run only hashes): the folder is never whole in memory.
    private func render(_ plan: DayPlan, on date: CivilDate, state: RunState) throws -> RenderedDay {
        let staged = try self.notices.stage(date.description, hashOnly: state.dryRun)
        var letters = try writeLetters(plan.drafts, on: date, to: staged)
        if let mail {
            for i in letters.indices { letters[i].letter.emailed = mail.letters && plan.drafts[i].contactEmail.flatMap(MailAddress.init) != nil }
        }
        var notices = DayNotices(asOf: date, bodyName: jobs.runner.bodyName, obligations: plan.rows, findings: plan.findings,
                                 statusChanges: plan.changeRows, letters: letters.map(\.letter))
        let explained = ExplanationPage.selection(plan.rows, limit: jobs.runner.explanationPages)
        notices.explanationPages = Set(explained.pages.map(\.path))
        notices.explanationsComplete = explained.complete
        try Self.writeDigest(notices, to: staged)
        try writeExplanationPages(explained.pages, rows: plan.rows, on: date, to: staged)
        let manifest = Manifest(asOf: date, bodyName: jobs.runner.bodyName, previousManifest: state.previousManifest,
                                ledgerSeq: state.chain.lastSeq, ledgerHash: state.chain.lastHash, files: staged.files)
        let manifestData = manifest.json
        try staged.write("manifest.json", data: manifestData)

        var outcome = DayReport(asOf: date, obligations: plan.rows.count, newStages: plan.records.count { $0.kind == .stage },
                                letters: letters.count, statusChanges: plan.changeRows.count, findings: plan.findings.count,
                                folder: self.notices.folderPath(staged.name), counts: Self.counts(plan.rows))
        outcome.letterFiles = letters.map(\.letter.fileName)
        return RenderedDay(date: date, letters: letters, notices: notices, staged: staged, files: staged.files,
                           manifestHash: LedgerChain.sha256(manifestData), outcome: outcome)
    }

    /// The folder first, then the records: a crash in between leaves a folder the rerun adopts.
    /// Mail goes into the outbox in the same transaction as the day: never a letter e-mailed for
    /// a day the register did not record, never a recorded day whose mail is lost. Its parts are
    /// read back from the folder just placed (the day is never whole in memory).
    private func commit(_ day: RenderedDay, _ plan: DayPlan, state: inout RunState) throws -> DayReport {
        let (date, folderName, letters) = (day.date, day.staged.name, day.letters)
        var outcome = day.outcome
        outcome.adopted = try placeFolder(day.staged)
        let placed = self.notices.folderPath(folderName)
        let messages = mail.map {
            MailComposer(settings: $0, date: now()).messages(day: date, plan: plan, notices: day.notices) { path in
                FileManager.default.contents(atPath: placed + "/" + path)
            }
        } ?? []
        // Each entry is made as it is written: a first night records every open obligation.
        let start = state.chain
        state.chain = try register.write { writer in
            var chain = start
            for record in plan.records {
                try writer.append(chain.append(asOf: date, kind: record.kind, key: plan.key(record),
                                               payload: plan.payload(record, letter: record.draft.map { letters[$0] })))
            }
            try writer.append(chain.append(asOf: date, kind: .notice, key: folderName,
                                           payload: Self.noticePayload(folder: folderName, manifestHash: day.manifestHash, files: day.files)))
            try writer.append(chain.append(asOf: date, kind: .run, key: folderName, payload: runPayload(outcome)))
            for (event, targets) in plan.events { try writer.enqueue(event, endpoints: targets) }
            for message in messages { try writer.enqueue(message, endpoints: [MailSettings.outboxEndpoint]) }
            return chain
        }
        outcome.mailQueued = messages.count
        state.previousManifest = day.manifestHash
        return outcome
    }

    /// Writes the day's folder, or adopts the identical one a killed run left (true); a folder no
    /// run recorded that differs is set aside first.
    private func placeFolder(_ staged: StagedNoticeFolder) throws -> Bool {
        let name = staged.name
        if let existing = try notices.existingSummaries(name) {
            if existing == staged.files.sorted(by: { $0.path < $1.path }) {
                logger.warning("adopting the notice folder a killed run left, identical to this run's", metadata: ["folder": "\(notices.folderPath(name))"])
                staged.discard()
                return true
            }
            let aside = try notices.setAside(name)
            logger.warning("a notice folder no run recorded was in the way; set aside", metadata: ["moved_to": "\(aside)"])
        }
        try staged.commit()
        return false
    }

    /// The digest and its CSV of a day, each written as it is rendered, the three side by side
    /// (the letters are written as they are rendered, the manifest last).
    static func writeDigest(_ notices: DayNotices, to folder: StagedNoticeFolder) throws {
        _ = try folder.streamConcurrently([
            ("digest.html", { NoticeRenderer.digestHTML(notices, into: $0) }),
            ("digest.md", { NoticeRenderer.digestMarkdown(notices, into: $0) }),
            ("obligations.csv", { NoticeRenderer.obligationsCSV(notices, into: $0) }),
        ])
    }

    /// The explanation page of each subject the digest links (`ExplanationPage`): what
    /// `certcycle explain` says on `date`, the certificate's records read again.
    private func writeExplanationPages(_ pages: [(path: String, row: DigestRow)], rows: [DigestRow], on date: CivilDate,
                                       to folder: StagedNoticeFolder) throws {
        guard !pages.isEmpty else { return }
        let explainer = RegisterExplainer(register: register, rules: jobs.rules, on: date)
        for (path, row) in pages {
            let o = row.obligation
            let explanations: [Explanation]
            var organizationName = row.organizationName
            let subject: String, command: String
            switch o.subjectType {
            case .certificate:
                let file = try register.certificateFile(o.subject)
                explanations = try file.map { try explainer.certificate($0) } ?? []
                organizationName = file?.organization?.name ?? organizationName
                subject = "证书 " + o.subject
                command = "certcycle explain \(o.subject) --as-of \(date)"
            case .appeal, .application:
                explanations = try explainer.standalone(o)
                subject = (o.subjectType == .appeal ? "申诉 " : "申请 ") + o.subject
                command = "certcycle explain --\(o.subjectType.rawValue) \(o.subject) --as-of \(date)"
            case .body:
                // The body's reports the digest lists (on a first night, tracked from that night).
                explanations = rows.lazy.map(\.obligation).filter { $0.subjectType == .body }.map { jobs.rules.explain($0, received: date, on: date) }
                organizationName = nil
                subject = "本机构月度报告"
                command = "certcycle explain --body --as-of \(date)"
            }
            let html = ExplanationPage.html(subject: subject, organizationName: organizationName, asOf: date, bodyName: jobs.runner.bodyName,
                                            command: command, explanations, titles: jobs.title)
            try folder.write(path, data: Data(html.utf8))
        }
    }

    static func counts(_ rows: [DigestRow]) -> [ObligationKind: [Stage: Int]] {
        var counts: [ObligationKind: [Stage: Int]] = [:]
        for row in rows { counts[row.obligation.kind, default: [:]][row.obligation.stage, default: 0] += 1 }
        return counts
    }

    /// The letter head of Jobs/runner.toml.
    var letterHead: LetterHead {
        let r = jobs.runner
        return LetterHead(bodyName: r.bodyName, address: r.bodyAddress, contactPerson: r.contactPerson, telephone: r.contactPhone)
    }

    /// Numbers the day's letters in file-name order (`PREFIX〔YYYY〕MMDD-NNN号`), renders each and
    /// writes it into `folder` (text and print-ready HTML) at once: only what the digest and the
    /// ledger need of a letter is kept, whatever the number of letters.
    private func writeLetters(_ drafts: [LetterDraft], on date: CivilDate, to folder: StagedNoticeFolder) throws -> [WrittenLetter] {
        let respondBy = jobs.calendar.addingWorkingDays(jobs.runner.respondWorkingDays, to: date)
        let order = drafts.indices.sorted { drafts[$0].fileName < drafts[$1].fileName }
        var letters = [WrittenLetter?](repeating: nil, count: drafts.count)
        for (n, i) in order.enumerated() {
            let draft = drafts[i]
            let reference = Self.reference(prefix: jobs.runner.referencePrefix, date: date, number: Self.padded(n + 1, 3))
            var context = draft.context()
            context["reference"] = reference
            context["has_reference"] = true
            context["respond_by"] = chineseDate(respondBy.date)
            context["has_respond_by"] = true
            context["respond_days"] = jobs.runner.respondWorkingDays
            let text = try templates.render(draft.template, context)
            let letter = Letter(fileName: draft.fileName, organization: draft.organization, organizationName: draft.organizationName,
                                reference: reference)
            // The folder hashes what it writes: that hash is the one the ledger records.
            let written = try folder.write("letters/" + letter.fileName, data: Data(text.utf8))
            try folder.write("letters/" + letter.htmlFileName, data: Data(LetterHTML.render(text).utf8))
            letters[i] = WrittenLetter(letter: letter, sha256: written.sha256)
        }
        return letters.map { $0! }
    }

    /// `中奥认证函〔2026〕1202-003号`: unique in the register, since each day is done once and
    /// numbers its letters; a letter issued on purpose numbers `S01`, `S02`, … instead.
    static func reference(prefix: String, date: CivilDate, number: String) -> String {
        "\(prefix)〔\(date.year)〕\(padded(date.parts.month, 2))\(padded(date.parts.day, 2))-\(number)号"
    }

    static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Where each obligation of a scan stands (see `Progress`).
    private func progress(_ scan: DayScan) -> [String: Int] {
        var map: [String: Int] = [:]
        for row in scan.rows {
            let o = row.obligation
            var rank = Progress.rank(stage: o.stage)
            if o.stage == .due {
                let crossed = jobs.letters[o.kind]?.crossedReminders(due: o.due, on: scan.date) ?? []
                if let nearest = crossed.min() { rank = Progress.rank(reminderDays: nearest) }
            }
            let key = FoundObligation.key(o)
            map[key] = max(map[key] ?? rank, rank)
        }
        return map
    }

    /// Reads the whole register once for `date` (`RegisterScan`): obligations, public changes,
    /// findings. `adoptedOn`: the run's first day when no run has completed yet (the body's own
    /// obligations are tracked from the register's first night).
    private func scanRegister(on date: CivilDate, adoptedOn: CivilDate? = nil) throws -> DayScan {
        let rules = jobs.rules
        var scan = DayScan(date: date)
        let registerScan = RegisterScan(register: register, rules: rules)
        try registerScan.forEachCertificate(on: date) { day in
            let file = day.file
            if !day.obligations.isEmpty {
                let cycle = day.history.currentCycle(on: date)
                let star = day.history.star(on: date, settings: rules.settings) ?? .none
                for o in day.obligations {
                    scan.rows.append(DigestRow(obligation: o, title: jobs.title(o.kind), organizationName: file.organization?.name, isNewStage: false))
                    scan.facts.append(ObligationFacts(certNo: file.certificate.certNo, validThrough: cycle?.validThrough, star: star))
                }
            }
            if let change = day.history.change(on: date, settings: rules.settings) {
                // The suspension behind the change: the full one in force, else (a scope reduction) the partial one.
                let inForce = file.suspensions.filter { $0.isInForce(on: date) }
                let suspension = inForce.filter { $0.reducedScope == nil }.max { $0.startOn < $1.startOn }
                    ?? (change.kind == .scopeChanged ? inForce.max { $0.startOn < $1.startOn } : nil)
                scan.changes.append(FoundChange(change: change, certificate: file.certificate, organization: file.organization,
                                                suspension: suspension, issuedOn: day.history.issuedOn(asOf: date) ?? date))
            }
            scan.findings += day.findings
        }
        let others = try registerScan.otherObligations(on: date, adoptedOn: adoptedOn)
        let organizations = try register.organizations(Set(others.compactMap(\.organization)))
        for o in others {
            let organization = o.organization.flatMap { organizations[$0] }
            scan.rows.append(DigestRow(obligation: o, title: jobs.title(o.kind), organizationName: organization?.name, isNewStage: false))
            scan.facts.append(ObligationFacts(certNo: nil, validThrough: nil, star: .none, organization: organization))
        }
        return scan
    }
}

/// What the days of one run carry from one to the next.
struct RunState {
    let dryRun: Bool
    var chain: LedgerChain
    var previousManifest: String?
    /// Where each obligation stands on a catch-up's last day (`NightlyRun.progress`).
    var finalProgress: [String: Int]?
    /// What a dry run's earlier days would have recorded.
    var recordedThisRun: Set<String> = []

    init(dryRun: Bool, chain: LedgerChain, previousManifest: String?) {
        self.dryRun = dryRun
        self.chain = chain
        self.previousManifest = previousManifest
    }
}

/// A letter written into the day's folder: what the digest lists and the hash the ledger records.
struct WrittenLetter {
    var letter: Letter
    /// SHA-256 of its text file.
    var sha256: String
}

/// A day rendered and written aside, not yet placed or recorded.
struct RenderedDay {
    var date: CivilDate
    var letters: [WrittenLetter]
    var notices: DayNotices
    var staged: StagedNoticeFolder
    var files: [NoticeFileSummary]
    var manifestHash: String
    var outcome: DayReport
}
