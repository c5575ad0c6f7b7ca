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
        var lock: (any RunLock)?
        if !dryRun {
            do {
                lock = try register.acquireRunLock(holder: holder)
            } catch let held as RunLockHeld {
                throw RunnerError(.locked, "\(held.description); this run stops. Try again later")
            }
        }
        defer { lock?.release() }

        var report = RunReport(asOf: asOf, dryRun: dryRun)
        let last = try register.lastCompletedDay()
        guard last.map({ $0 < asOf }) ?? true else {
            logger.info("nothing to do: \(asOf) is already done", metadata: ["last_completed": "\(last!)"])
            report.alreadyDone = true
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
        if !dryRun { try notices.removeAbandonedTemporaryFolders() }

        if !dryRun, !endpoints.isEmpty {
            // A new endpoint first gets every certificate's state as of the day before this run's days.
            try EndpointSync(register: register, jobs: jobs, logger: logger, now: now).syncNew(endpoints, asOf: first.addingDays(-1))
        }
        var chain = LedgerChain(after: try register.lastLedgerEntry(kind: nil))
        var previousManifest = try register.lastLedgerEntry(kind: "notice").flatMap { Self.manifestHash(ofNoticePayload: $0.payload) }
        var recordedThisRun: Set<String> = []
        var day = first
        while day <= asOf {
            let outcome = try runDay(day, chain: &chain, previousManifest: &previousManifest, dryRun: dryRun, recordedThisRun: &recordedThisRun)
            report.days.append(outcome)
            if first < asOf { progress("catching up \(day)", first.days(to: day) + 1, of: first.days(to: asOf) + 1) }
            logger.info("day done", metadata: [
                "as_of": "\(day)", "obligations": "\(outcome.obligations)", "new_stages": "\(outcome.newStages)",
                "letters": "\(outcome.letters)", "status_changes": "\(outcome.statusChanges)", "folder": "\(outcome.folder)",
                "dry_run": "\(dryRun)",
            ])
            day = day.addingDays(1)
        }
        return report
    }

    // MARK: One day

    private func runDay(_ date: CivilDate, chain: inout LedgerChain, previousManifest: inout String?, dryRun: Bool,
                        recordedThisRun: inout Set<String>) throws -> DayReport {
        let scan = try scanRegister(on: date)

        // Which stages, reminders and status changes are new: not in the ledger yet.
        var stageKeys: [String] = []
        for found in scan.obligations {
            for stage in Stage.allCases { stageKeys.append(found.key + "#" + stage.rawValue) }
            for days in jobs.letters[found.obligation.kind]?.reminderDaysBeforeDue ?? [] { stageKeys.append(found.key + "#reminder-\(days)") }
        }
        let recordedStages = try register.ledgerKeys(kind: "stage", among: stageKeys).union(recordedThisRun)
        let recordedChanges = try register.ledgerKeys(kind: "status", among: scan.changes.map(\.key)).union(recordedThisRun)

        var records: [PlannedRecord] = []
        var letters: [Letter] = []
        var letterNames: Set<String> = []
        var rows: [DigestRow] = []
        let bodyName = jobs.runner.bodyName

        func addLetter(_ name: String, organization: String, template: String, context: [String: Any]) throws -> Letter {
            var fileName = name
            var n = 2
            while letterNames.contains(fileName) {
                fileName = String(name.dropLast(4)) + "-\(n).txt"
                n += 1
            }
            letterNames.insert(fileName)
            let letter = Letter(fileName: fileName, organization: organization, text: try templates.render(template, context))
            letters.append(letter)
            return letter
        }

        for found in scan.obligations {
            let o = found.obligation
            let plan = jobs.letters[o.kind] ?? LetterPlan()
            let stageKey = found.key + "#" + o.stage.rawValue
            let isNew = !recordedStages.contains(stageKey)
            let row = DigestRow(obligation: o, title: jobs.title(o.kind),
                                organizationName: found.organization?.name, isNewStage: isNew)
            rows.append(row)
            let org = found.organization?.id ?? o.organization
            if isNew {
                // First sight of an obligation already past a stage that has a letter (the
                // surveillance notice for one first seen while due): that letter goes out now.
                var template = plan.stages[o.stage]
                if template == nil {
                    let earlierSeen = Stage.allCases.contains { $0 != o.stage && recordedStages.contains(found.key + "#" + $0.rawValue) }
                    if !earlierSeen {
                        let lifecycle: [Stage] = [.upcoming, .due, .overdue]
                        template = lifecycle[..<lifecycle.firstIndex(of: o.stage)!].reversed().compactMap { plan.stages[$0] }.first
                    }
                }
                var letter: Letter?
                if let template, let org {
                    let context = LetterContext.obligation(row, organization: found.organization, certificate: found.certificate,
                                                           validThrough: found.validThrough, asOf: date, bodyName: bodyName, star: found.star)
                    letter = try addLetter(LetterName.obligation(organization: org, subject: o.subject, kind: o.kind, stage: o.stage.rawValue, record: o.record),
                                           organization: org, template: template, context: context)
                }
                records.append(PlannedRecord(kind: "stage", key: stageKey, payload: Self.stagePayload(found, stage: o.stage.rawValue, letter: letter)))
            }
            // Reminders while due: one letter for the nearest threshold crossed, every crossed one recorded.
            if o.stage == .due, let template = plan.reminder {
                let crossed = plan.reminderDaysBeforeDue.filter { date >= o.due.addingDays(-$0) }
                let fresh = crossed.filter { !recordedStages.contains(found.key + "#reminder-\($0)") }
                if let nearest = fresh.min() {
                    var letter: Letter?
                    if let org {
                        let context = LetterContext.obligation(row, organization: found.organization, certificate: found.certificate,
                                                               validThrough: found.validThrough, asOf: date, bodyName: bodyName, star: found.star)
                        letter = try addLetter(LetterName.obligation(organization: org, subject: o.subject, kind: o.kind, stage: "reminder-\(nearest)", record: o.record),
                                               organization: org, template: template, context: context)
                    }
                    for days in fresh.sorted(by: >) {
                        records.append(PlannedRecord(kind: "stage", key: found.key + "#reminder-\(days)",
                                                     payload: Self.stagePayload(found, stage: "reminder-\(days)", letter: days == nearest ? letter : nil)))
                    }
                }
            }
        }

        var changeRows: [StatusChangeRow] = []
        var events: [(OutboxEvent, [String])] = []
        for found in scan.changes {
            changeRows.append(StatusChangeRow(certificate: found.certificate.certNo, organizationName: found.organization?.name, change: found.change))
            guard !recordedChanges.contains(found.key) else { continue }
            var letter: Letter?
            if let letterKey = found.letterKey, let template = jobs.runner.statusLetters[letterKey] {
                let org = found.certificate.orgId
                let context = LetterContext.statusChange(found.change, certificate: found.certificate, organization: found.organization,
                                                         suspension: found.suspension, asOf: date, bodyName: bodyName)
                letter = try addLetter(LetterName.status(organization: org, certificate: found.certificate.certNo, status: found.change.status),
                                       organization: org, template: template, context: context)
            }
            records.append(PlannedRecord(kind: "status", key: found.key, payload: Self.changePayload(found, letter: letter)))
            let event = CertificateEvents.event(for: found.change, certificate: found.certificate, organization: found.organization,
                                                issuedOn: found.issuedOn, foundAt: now())
            let targets = endpoints.filter { $0.accepts(event.type) }.map(\.name)
            if !targets.isEmpty { events.append((event, targets)) }
        }

        rows.sort { Obligation.staffOrder($0.obligation, $1.obligation) }
        letters.sort { $0.fileName < $1.fileName }
        // From 1 November, a missing calendar for next year is a data warning every day (RULES §9).
        let calendarWarnings = MissingCalendarWarning.due(asOf: date, calendar: jobs.calendar).map {
            [Finding(kind: .data, certificate: "—", record: "Jobs/" + $0.file, clause: "§9", message: $0.text)]
        } ?? []
        let notices = DayNotices(asOf: date, bodyName: bodyName, obligations: rows, findings: scan.findings + calendarWarnings,
                                 statusChanges: changeRows, letters: letters)
        var files = [
            NoticeFile(path: "digest.html", data: Data(NoticeRenderer.digestHTML(notices).utf8)),
            NoticeFile(path: "digest.md", data: Data(NoticeRenderer.digestMarkdown(notices).utf8)),
            NoticeFile(path: "obligations.csv", data: Data(NoticeRenderer.obligationsCSV(notices).utf8)),
        ]
        files += letters.map { NoticeFile(path: "letters/" + $0.fileName, data: Data($0.text.utf8)) }
        let manifest = Manifest(asOf: date, bodyName: bodyName, previousManifest: previousManifest,
                                ledgerSeq: chain.lastSeq, ledgerHash: chain.lastHash, files: files)
        let manifestData = manifest.json
        files.append(NoticeFile(path: "manifest.json", data: manifestData))
        let manifestHash = LedgerChain.sha256(manifestData)
        let folderName = date.description

        var counts: [ObligationKind: [Stage: Int]] = [:]
        for row in rows { counts[row.obligation.kind, default: [:]][row.obligation.stage, default: 0] += 1 }
        var outcome = DayReport(asOf: date, obligations: rows.count, newStages: records.count { $0.kind == "stage" }, letters: letters.count,
                                statusChanges: changeRows.count, findings: scan.findings.count, folder: self.notices.folderPath(folderName), counts: counts)
        outcome.letterFiles = letters.map(\.fileName)

        if dryRun {
            for record in records { recordedThisRun.insert(record.key) }
            previousManifest = manifestHash
            return outcome
        }

        // The folder first, then the records: a crash in between leaves a folder the rerun adopts.
        if let existing = try self.notices.existingFiles(folderName) {
            if existing == files.sorted(by: { $0.path < $1.path }) {
                outcome.adopted = true
                logger.warning("adopting the notice folder a killed run left, identical to this run's", metadata: ["folder": "\(outcome.folder)"])
            } else {
                let aside = try self.notices.setAside(folderName)
                logger.warning("a notice folder no run recorded was in the way; set aside", metadata: ["moved_to": "\(aside)"])
            }
        }
        if !outcome.adopted { try self.notices.write(folderName, files: files) }

        var entries: [LedgerEntry] = []
        for record in records {
            entries.append(chain.append(asOf: date, kind: record.kind, key: record.key, payload: record.payload))
        }
        entries.append(chain.append(asOf: date, kind: "notice", key: folderName,
                                    payload: Self.noticePayload(folder: folderName, manifestHash: manifestHash, files: files)))
        entries.append(chain.append(asOf: date, kind: "run", key: folderName, payload: runPayload(outcome)))
        try register.write { writer in
            for entry in entries { try writer.append(entry) }
            for (event, targets) in events { try writer.enqueue(event, endpoints: targets) }
        }
        previousManifest = manifestHash
        return outcome
    }

    /// Reads the whole register once for `date`: obligations, public changes, findings.
    private func scanRegister(on date: CivilDate) throws -> DayScan {
        let rules = jobs.rules
        var scan = DayScan()
        try register.forEachCertificate { file in
            let history = CertificateHistory(file)
            let obligations = rules.obligations(of: history, on: date)
            if !obligations.isEmpty {
                let cycle = history.currentCycle(on: date)
                let star = history.star(on: date, settings: rules.settings) ?? .none
                for o in obligations {
                    scan.obligations.append(FoundObligation(obligation: o, organization: file.organization, certificate: file.certificate,
                                                            validThrough: cycle?.validThrough, star: star))
                }
            }
            if let change = history.change(on: date, settings: rules.settings) {
                let suspension = file.suspensions.filter { $0.isInForce(on: date) && $0.reducedScope == nil }.max { $0.startOn < $1.startOn }
                scan.changes.append(FoundChange(change: change, certificate: file.certificate, organization: file.organization,
                                                suspension: suspension, issuedOn: history.issuedOn(asOf: date) ?? date))
            }
            scan.findings += rules.findings(of: history, on: date)
        }
        let others = try RegisterScan(register: register, rules: rules).otherObligations(on: date)
        let organizations = try register.organizations(Set(others.compactMap(\.organization)))
        for o in others {
            scan.obligations.append(FoundObligation(obligation: o, organization: o.organization.flatMap { organizations[$0] },
                                                    certificate: nil, validThrough: nil, star: .none))
        }
        return scan
    }
}
