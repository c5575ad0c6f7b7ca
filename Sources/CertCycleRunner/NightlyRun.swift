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
        try Self.checkTemplates(jobs, templates)
        let tomorrow = today?.addingDays(1)
        if let tomorrow, !allowFuture, asOf > tomorrow {
            throw RunnerError(.usage, "--as-of \(asOf) is later than tomorrow (\(tomorrow) in the configured time zone); "
                + "a run for it would mark every night until then as done. Give --allow-future if that is really meant")
        }
        var lock: (any RunLock)?
        if !dryRun {
            do {
                lock = try register.acquireRunLock(holder: holder)
            } catch let held as RunLockHeld {
                throw RunnerError(.locked, "\(held.description); this run stops. Try again later")
            } catch let error as RegisterError {
                throw RunnerError(.unwritable, "\(error.message); check the permissions of the register's folder, then run again")
            }
        }
        defer { lock?.release() }
        if !dryRun {
            // Both before any notice is written: a notice must never go out for a day the register cannot record.
            do { try notices.checkWritable() } catch let error as NoticeFolderError { throw RunnerError(.unwritable, error.message) }
            do { try register.checkWritable() } catch let error as RegisterError { throw RunnerError(.unwritable, error.message) }
        }

        var report = RunReport(asOf: asOf, dryRun: dryRun)
        let last = try register.lastCompletedDay()
        if let tomorrow, let last, !allowFuture, last > tomorrow {
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
        var first = last?.addingDays(1) ?? asOf
        let bound = jobs.runner.maxCatchUpDays
        if first.days(to: asOf) + 1 > bound {
            let skippedTo = asOf.addingDays(-bound)
            report.skipped = first...skippedTo
            logger.warning("the gap since the last run is longer than max_catch_up_days; earlier days are not caught up",
                           metadata: ["skipped_from": "\(first)", "skipped_to": "\(skippedTo)", "max_catch_up_days": "\(bound)"])
            first = skippedTo.addingDays(1)
        }

        if !dryRun, !endpoints.isEmpty {
            // A new endpoint first gets every certificate's state as of the day before this run's days.
            try EndpointSync(register: register, jobs: jobs, logger: logger, now: now).syncNew(endpoints, asOf: first.addingDays(-1))
        }
        var chain = LedgerChain(after: try register.lastLedgerEntry(kind: nil))
        var previousManifest = try register.lastLedgerEntry(kind: "notice").flatMap { Self.manifestHash(ofNoticePayload: $0.payload) }
        var recordedThisRun: Set<String> = []
        // A catch-up knows where each obligation stands on its last day: a letter overtaken by
        // then is not written (RULES §8). That day's scan is kept for the day itself.
        let adoptedOn = last == nil ? first : nil
        let finalScan = first < asOf ? try scanRegister(on: asOf, adoptedOn: adoptedOn) : nil
        let finalProgress = finalScan.map(progress)
        var day = first
        while day <= asOf {
            // The scan goes straight into the day (nothing else holds it), which takes its rows over.
            let outcome = try runDay(day, scan: day == asOf ? finalScan ?? scanRegister(on: day, adoptedOn: adoptedOn) : scanRegister(on: day, adoptedOn: adoptedOn),
                                     firstNight: last == nil && day == first, finalProgress: finalProgress,
                                     chain: &chain, previousManifest: &previousManifest, dryRun: dryRun, recordedThisRun: &recordedThisRun)
            report.days.append(outcome)
            if first < asOf { progress("catching up \(day)", first.days(to: day) + 1, of: first.days(to: asOf) + 1) }
            logger.info("day done", metadata: [
                "as_of": "\(day)", "obligations": "\(outcome.obligations)", "new_stages": "\(outcome.newStages)",
                "letters": "\(outcome.letters)", "status_changes": "\(outcome.statusChanges)", "folder": "\(outcome.folder)",
                "dry_run": "\(dryRun)",
            ])
            day = day.addingDays(1)
        }
        if !dryRun, !report.days.isEmpty {
            writeIndex()
            writeForecast(asOf)
        }
        return report
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

    /// Plans the day, renders it, writes the folder, then records it all in one transaction.
    private func runDay(_ date: CivilDate, scan: consuming DayScan, firstNight: Bool, finalProgress: [String: Int]?,
                        chain: inout LedgerChain, previousManifest: inout String?, dryRun: Bool,
                        recordedThisRun: inout Set<String>) throws -> DayReport {
        let plan = try planDay(date, scan: &scan, firstNight: firstNight, finalProgress: finalProgress, recordedThisRun: recordedThisRun)
        var letters = try renderLetters(plan.drafts, on: date)
        if let mail {
            for i in letters.indices { letters[i].emailed = mail.letters && plan.drafts[i].contactEmail.flatMap(MailAddress.init) != nil }
        }
        var notices = DayNotices(asOf: date, bodyName: jobs.runner.bodyName, obligations: plan.rows, findings: plan.findings,
                                 statusChanges: plan.changeRows, letters: letters)
        let explained = ExplanationPage.selection(plan.rows, limit: jobs.runner.explanationPages)
        notices.explanationPages = Set(explained.pages.map(\.path))
        notices.explanationsComplete = explained.complete
        let folderName = date.description
        // Written aside as rendered (a dry run only hashes): the folder is never whole in memory.
        let staged = try self.notices.stage(folderName, hashOnly: dryRun)
        try Self.writeNoticeFiles(notices, to: staged)
        try writeExplanationPages(explained.pages, rows: plan.rows, on: date, to: staged)
        let manifest = Manifest(asOf: date, bodyName: jobs.runner.bodyName, previousManifest: previousManifest,
                                ledgerSeq: chain.lastSeq, ledgerHash: chain.lastHash, files: staged.files)
        let manifestData = manifest.json
        try staged.write("manifest.json", data: manifestData)
        let files = staged.files
        let manifestHash = LedgerChain.sha256(manifestData)

        var outcome = DayReport(asOf: date, obligations: plan.rows.count, newStages: plan.records.count { $0.kind == "stage" },
                                letters: letters.count, statusChanges: plan.changeRows.count, findings: plan.findings.count,
                                folder: self.notices.folderPath(folderName), counts: Self.counts(plan.rows))
        outcome.letterFiles = letters.map(\.fileName)

        if dryRun {
            staged.discard()
            for record in plan.records { recordedThisRun.insert(plan.key(record)) }
            previousManifest = manifestHash
            return outcome
        }

        // The folder first, then the records: a crash in between leaves a folder the rerun adopts.
        outcome.adopted = try placeFolder(staged)
        // Mail goes into the outbox in the same transaction as the day: never a letter e-mailed
        // for a day the register did not record, never a recorded day whose mail is lost. Its
        // parts are read back from the folder just placed (the day is never whole in memory).
        let placed = self.notices.folderPath(folderName)
        let messages = mail.map {
            MailComposer(settings: $0, date: now()).messages(day: date, plan: plan, letters: letters, notices: notices) { path in
                FileManager.default.contents(atPath: placed + "/" + path)
            }
        } ?? []
        // Each entry is made as it is written: a first night records every open obligation.
        let start = chain
        chain = try register.write { writer in
            var chain = start
            for record in plan.records {
                try writer.append(chain.append(asOf: date, kind: record.kind, key: plan.key(record),
                                               payload: plan.payload(record, letter: record.draft.map { letters[$0] })))
            }
            try writer.append(chain.append(asOf: date, kind: "notice", key: folderName,
                                           payload: Self.noticePayload(folder: folderName, manifestHash: manifestHash, files: files)))
            try writer.append(chain.append(asOf: date, kind: "run", key: folderName, payload: runPayload(outcome)))
            for (event, targets) in plan.events { try writer.enqueue(event, endpoints: targets) }
            for message in messages { try writer.enqueue(message, endpoints: [MailSettings.outboxEndpoint]) }
            return chain
        }
        outcome.mailQueued = messages.count
        previousManifest = manifestHash
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

    /// The digest, CSV and letters (text and print-ready HTML) of a day, without the manifest,
    /// each written as it is rendered.
    static func writeNoticeFiles(_ notices: DayNotices, to folder: StagedNoticeFolder) throws {
        try folder.stream("digest.html") { NoticeRenderer.digestHTML(notices, into: $0) }
        try folder.stream("digest.md") { NoticeRenderer.digestMarkdown(notices, into: $0) }
        try folder.stream("obligations.csv") { NoticeRenderer.obligationsCSV(notices, into: $0) }
        for letter in notices.letters {
            try folder.write("letters/" + letter.fileName, data: Data(letter.text.utf8))
            try folder.write("letters/" + letter.htmlFileName, data: Data(LetterHTML.render(letter.text).utf8))
        }
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

    /// How many obligations' stages one ledger query asks about.
    static let ledgerSlice = 20_000

    /// The letter head of Jobs/runner.toml.
    var letterHead: LetterHead {
        let r = jobs.runner
        return LetterHead(bodyName: r.bodyName, address: r.bodyAddress, contactPerson: r.contactPerson, telephone: r.contactPhone)
    }

    /// Numbers the day's letters in file-name order (`PREFIX〔YYYY〕MMDD-NNN号`) and renders them.
    private func renderLetters(_ drafts: [LetterDraft], on date: CivilDate) throws -> [Letter] {
        let respondBy = jobs.calendar.addingWorkingDays(jobs.runner.respondWorkingDays, to: date)
        let order = drafts.indices.sorted { drafts[$0].fileName < drafts[$1].fileName }
        var letters = [Letter?](repeating: nil, count: drafts.count)
        for (n, i) in order.enumerated() {
            let draft = drafts[i]
            let reference = Self.reference(prefix: jobs.runner.referencePrefix, date: date, number: Self.padded(n + 1, 3))
            var context = draft.context
            context["reference"] = reference
            context["has_reference"] = true
            context["respond_by"] = chineseDate(respondBy.date)
            context["has_respond_by"] = true
            context["respond_days"] = jobs.runner.respondWorkingDays
            letters[i] = Letter(fileName: draft.fileName, organization: draft.organization,
                                text: try templates.render(draft.template, context),
                                organizationName: draft.organizationName, reference: reference)
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

    /// The first day of a stage: the day a letter for it is news.
    private func startOfStage(_ o: Obligation) -> CivilDate {
        switch o.stage {
        case .upcoming: o.opens.addingDays(-jobs.settings.settings(for: o.kind).noticeDays)
        case .due: o.opens
        case .overdue: o.due.addingDays(1)
        }
    }

    /// What is new on `date`: stages, reminders and changes not in the ledger yet, with the
    /// letters they call for. On a register's first night, stages that began earlier are backlog
    /// (listed, recorded, no letter); one letter per obligation per day, the latest that applies;
    /// in a catch-up, no letter for a stage the obligation has left by the run's last day.
    ///
    /// Takes the scan's rows over (marking the new and the backlog ones) rather than copying them,
    /// and asks the ledger about a slice of obligations at a time, so that a day of a million
    /// open obligations holds each row once.
    func planDay(_ date: CivilDate, scan: inout DayScan, firstNight: Bool, finalProgress: [String: Int]?,
                 recordedThisRun: Set<String>) throws -> DayPlan {
        let recordedChanges = try register.ledgerKeys(kind: "status", among: scan.changes.map(\.key))
        let head = letterHead
        // From 1 November, a missing calendar for next year is a data warning every day (RULES §9).
        let calendarWarnings = MissingCalendarWarning.due(asOf: date, calendar: jobs.calendar).map {
            [Finding(kind: .data, certificate: "—", record: "Jobs/" + $0.file, clause: "《全国年节及纪念日放假办法》", message: $0.text)]
        } ?? []
        var plan = DayPlan(findings: scan.findings + calendarWarnings)
        plan.rows = scan.rows
        scan.rows = []
        let facts = scan.facts
        scan.facts = []
        // A letter reads its certificate's records again; one certificate's obligations are adjacent.
        var lastFile: CertificateFile?

        var start = 0
        while start < plan.rows.count {
            let end = min(start + Self.ledgerSlice, plan.rows.count)
            var stageKeys: [String] = []
            for i in start..<end {
                let o = plan.rows[i].obligation
                let key = FoundObligation.key(o)
                for stage in Stage.allCases { stageKeys.append(key + "#" + stage.rawValue) }
                for days in jobs.letters[o.kind]?.reminderDaysBeforeDue ?? [] { stageKeys.append(key + "#reminder-\(days)") }
            }
            let recordedSlice = try register.ledgerKeys(kind: "stage", among: stageKeys)
            stageKeys = []
            func recorded(_ key: String) -> Bool { recordedSlice.contains(key) || recordedThisRun.contains(key) }

            for i in start..<end {
                let o = plan.rows[i].obligation
                let fact = facts[i]
                let obligationKey = FoundObligation.key(o)
                let letterPlan = jobs.letters[o.kind] ?? LetterPlan()
                let stageKey = obligationKey + "#" + o.stage.rawValue
                let isNew = !recorded(stageKey)
                plan.rows[i].isNewStage = isNew
                plan.rows[i].isBacklog = firstNight && isNew && startOfStage(o) < date
                // A certificate's holder is the organisation of the obligation (CertificationRules).
                let org = o.organization

                // Candidates: the stage's letter and the nearest reminder crossed; the later one goes.
                var candidate: (name: String, template: String, rank: Int, record: Int)?
                func offer(_ stage: String, _ template: String?, rank: Int, startsOn: CivilDate, record: Int) {
                    guard let template, org != nil else { return }
                    if firstNight, startsOn < date { return }
                    if let finalProgress, (finalProgress[obligationKey] ?? Int.max) > rank { return }
                    if let current = candidate, current.rank >= rank { return }
                    candidate = (stage, template, rank, record)
                }
                if isNew {
                    // First sight of an obligation already past a stage that has a letter (the
                    // surveillance notice for one first seen while due): that letter goes out now.
                    var template = letterPlan.stages[o.stage]
                    if template == nil {
                        let earlierSeen = Stage.allCases.contains { $0 != o.stage && recorded(obligationKey + "#" + $0.rawValue) }
                        if !earlierSeen { template = letterPlan.earlierStageTemplate(before: o.stage) }
                    }
                    plan.records.append(PlannedRecord(subject: .stage(row: i, stage: o.stage.rawValue)))
                    offer(o.stage.rawValue, template, rank: Progress.rank(stage: o.stage), startsOn: startOfStage(o), record: plan.records.count - 1)
                }
                // Reminders while due: one letter for the nearest threshold crossed, every crossed one recorded.
                if o.stage == .due, letterPlan.reminder != nil {
                    let crossed = letterPlan.crossedReminders(due: o.due, on: date)
                    let fresh = crossed.filter { !recorded(obligationKey + "#reminder-\($0)") }
                    if let nearest = fresh.min() {
                        for days in fresh.sorted(by: >) {
                            let stage = "reminder-\(days)"
                            plan.records.append(PlannedRecord(subject: .stage(row: i, stage: stage)))
                            if days == nearest {
                                offer(stage, letterPlan.reminder, rank: Progress.rank(reminderDays: days), startsOn: o.due.addingDays(-days),
                                      record: plan.records.count - 1)
                            }
                        }
                    }
                }
                if let candidate, let org {
                    var organization = fact.organization
                    var certificate: Certificate?
                    if let certNo = fact.certNo {
                        if lastFile?.certificate.certNo != certNo { lastFile = try register.certificateFile(certNo) }
                        organization = lastFile?.organization
                        certificate = lastFile?.certificate
                    }
                    let context = LetterContext.obligation(plan.rows[i], organization: organization, certificate: certificate,
                                                           validThrough: fact.validThrough, asOf: date, head: head, star: fact.star)
                    plan.records[candidate.record].draft = plan.drafts.count
                    plan.drafts.append(LetterDraft(fileName: LetterName.obligation(organization: org, subject: o.subject, kind: o.kind, stage: candidate.name, record: o.record),
                                                   organization: org, organizationName: plan.rows[i].organizationName, template: candidate.template, context: context,
                                                   contactEmail: organization?.contactEmail))
                }
            }
            start = end
        }

        for found in scan.changes {
            plan.changeRows.append(StatusChangeRow(certificate: found.certificate.certNo, organizationName: found.organization?.name, change: found.change))
            guard !recordedChanges.contains(found.key), !recordedThisRun.contains(found.key) else { continue }
            var record = PlannedRecord(subject: .change(found))
            if let letterKey = found.letterKey, let template = jobs.runner.statusLetters[letterKey] {
                let org = found.certificate.orgId
                let context = LetterContext.statusChange(found.change, certificate: found.certificate, organization: found.organization,
                                                         suspension: found.suspension, asOf: date, head: head)
                let name = found.change.status == .active && found.change.kind != .restored
                    ? LetterName.change(organization: org, certificate: found.certificate.certNo, key: letterKey)
                    : LetterName.status(organization: org, certificate: found.certificate.certNo, status: found.change.status)
                record.draft = plan.drafts.count
                plan.drafts.append(LetterDraft(fileName: name, organization: org, organizationName: found.organization?.name,
                                               template: template, context: context, contactEmail: found.organization?.contactEmail))
            }
            plan.records.append(record)
            let event = CertificateEvents.event(for: found.change, certificate: found.certificate, organization: found.organization,
                                                issuedOn: found.issuedOn, foundAt: now(), suspension: found.suspension)
            let targets = endpoints.filter { $0.accepts(event.type) }.map(\.name)
            if !targets.isEmpty { plan.events.append((event, targets)) }
        }

        plan.sortRows()
        // Two letters may not share a file name: the later gets -2, -3, … (as before).
        var taken: Set<String> = []
        for i in plan.drafts.indices.sorted(by: { (plan.drafts[$0].fileName, $0) < (plan.drafts[$1].fileName, $1) }) {
            let name = plan.drafts[i].fileName
            var fileName = name
            var n = 2
            while taken.contains(fileName) {
                fileName = String(name.dropLast(4)) + "-\(n).txt"
                n += 1
            }
            taken.insert(fileName)
            plan.drafts[i].fileName = fileName
        }
        return plan
    }

    /// Reads the whole register once for `date`: obligations, public changes, findings.
    /// `adoptedOn`: the run's first day when no run has completed yet (the body's own
    /// obligations are tracked from the register's first night).
    private func scanRegister(on date: CivilDate, adoptedOn: CivilDate? = nil) throws -> DayScan {
        let rules = jobs.rules
        var scan = DayScan(date: date)
        try register.forEachCertificate { file in
            let history = CertificateHistory(file)
            let obligations = rules.obligations(of: history, on: date)
            if !obligations.isEmpty {
                let cycle = history.currentCycle(on: date)
                let star = history.star(on: date, settings: rules.settings) ?? .none
                for o in obligations {
                    scan.rows.append(DigestRow(obligation: o, title: jobs.title(o.kind), organizationName: file.organization?.name, isNewStage: false))
                    scan.facts.append(ObligationFacts(certNo: file.certificate.certNo, validThrough: cycle?.validThrough, star: star))
                }
            }
            if let change = history.change(on: date, settings: rules.settings) {
                // The suspension behind the change: the full one in force, else (a scope reduction) the partial one.
                let inForce = file.suspensions.filter { $0.isInForce(on: date) }
                let suspension = inForce.filter { $0.reducedScope == nil }.max { $0.startOn < $1.startOn }
                    ?? (change.kind == .scopeChanged ? inForce.max { $0.startOn < $1.startOn } : nil)
                scan.changes.append(FoundChange(change: change, certificate: file.certificate, organization: file.organization,
                                                suspension: suspension, issuedOn: history.issuedOn(asOf: date) ?? date))
            }
            scan.findings += rules.findings(of: history, on: date)
        }
        let others = try RegisterScan(register: register, rules: rules).otherObligations(on: date, adoptedOn: adoptedOn)
        let organizations = try register.organizations(Set(others.compactMap(\.organization)))
        for o in others {
            let organization = o.organization.flatMap { organizations[$0] }
            scan.rows.append(DigestRow(obligation: o, title: jobs.title(o.kind), organizationName: organization?.name, isNewStage: false))
            scan.facts.append(ObligationFacts(certNo: nil, validThrough: nil, star: .none, organization: organization))
        }
        return scan
    }
}
