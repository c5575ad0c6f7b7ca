public import CertCycleCore
import CertCycleConfig
import CertCycleNotices
import CertCycleRegister
import Foundation

/// `certcycle letter CERT KIND [--subject ID]`: one letter written on purpose, now, for an open
/// obligation — a backlog stage the first night listed without a letter, or the reply to an
/// appeal (RULES §8, §10). It goes into `NOTICES/manual/YYYY-MM-DD-SNN/letters/` (text and print
/// copy) and into the ledger as a `letter` entry, under the run lock, so `ledger verify` covers
/// it like the nightly run's letters. Its reference number ends in `-SNN`.
public struct ManualLetter {
    public var certificate: String
    public var kind: ObligationKind
    /// The appeal or application id, for kinds whose subject is not the certificate; the record
    /// (nonconformity, suspension, misuse case, special audit) to choose among several.
    public var subject: String?
    public var asOf: CivilDate
    /// The body's answer in an appeal reply.
    public var decision: String?

    public init(certificate: String, kind: ObligationKind, subject: String? = nil, asOf: CivilDate, decision: String? = nil) {
        self.certificate = certificate
        self.kind = kind
        self.subject = subject
        self.asOf = asOf
        self.decision = decision
    }

    /// What was written.
    public struct Issued: Sendable {
        public var folder: String
        public var files: [String]
        public var reference: String
    }
}

extension NightlyRun {
    /// The manual letters' folder under the notices root.
    public static let manualFolder = "manual"

    /// Writes `request`'s letter and records it. Throws `RunnerError` (.input) when there is no
    /// such open obligation or no template for it.
    public func issue(_ request: ManualLetter) throws -> ManualLetter.Issued {
        try Self.checkTemplates(jobs, templates)
        let date = request.asOf
        let found = try openObligation(request)
        let plan = jobs.letters[request.kind] ?? LetterPlan()
        let o = found.obligation
        var template: String? = plan.manual ?? plan.stages[o.stage]
        if template == nil, o.stage == .due { template = plan.reminder }
        if template == nil { template = plan.earlierStageTemplate(before: o.stage) }
        guard let template else {
            throw RunnerError(.input, "\(request.kind.rawValue) has no letter for its \(o.stage.rawValue) stage in \(jobs.directory)/obligations/\(request.kind.rawValue).toml")
        }
        if request.kind == .appealReply, (request.decision ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw RunnerError(.input, "an appeal reply needs the body's answer: give it with --decision FILE")
        }
        let lock = try runLock(register, holder: holder)
        defer { lock.release() }

        // The day's manual letters are numbered S01, S02, … in the order they were issued.
        let keys = (1...99).map { "\(date)#S" + Self.padded($0, 2) }
        let used = try register.ledgerKeys(kind: .letter, among: keys)
        guard let key = keys.first(where: { !used.contains($0) }) else {
            throw RunnerError(.input, "99 letters have been issued on purpose on \(date) already")
        }
        let number = "S" + key.suffix(2)
        let reference = Self.reference(prefix: jobs.runner.referencePrefix, date: date, number: number)
        let respondBy = jobs.calendar.addingWorkingDays(jobs.runner.respondWorkingDays, to: date)
        let row = DigestRow(obligation: o, title: jobs.title(o.kind), organizationName: found.organization?.name, isNewStage: false)
        let extras = LetterExtras(reference: reference, respondBy: respondBy, respondWorkingDays: jobs.runner.respondWorkingDays,
                                  decision: request.decision)
        let context = LetterContext.obligation(row, organization: found.organization, certificate: found.certificate,
                                               validThrough: found.validThrough, asOf: date, head: letterHead, star: found.star, extras: extras)
        let org = found.organization?.id ?? o.organization ?? request.certificate
        let name = LetterName.manual(organization: org, subject: o.subject, kind: o.kind, number: Int(key.suffix(2))!, record: o.record)
        let text = try templates.render(template, context)
        let letter = Letter(fileName: name, organization: org, organizationName: found.organization?.name, reference: reference)
        let files = [
            NoticeFile(path: "letters/" + letter.fileName, data: Data(text.utf8)),
            NoticeFile(path: "letters/" + letter.htmlFileName, data: Data(LetterHTML.render(text).utf8)),
        ]
        let folderName = "\(date)-\(number)"
        let writer = NoticeFolderWriter(root: notices.root + "/" + Self.manualFolder)
        if try writer.existingFiles(folderName) != nil {
            let aside = try writer.setAside(folderName)
            logger.warning("a manual letter folder no ledger entry accounts for was in the way; set aside", metadata: ["moved_to": "\(aside)"])
        }
        try writer.write(folderName, files: files)
        let payload = Self.letterPayload(found, template: template, reference: reference, folder: Self.manualFolder + "/" + folderName, files: files)
        try register.write { ledger in
            // Chained to the last entry as the transaction sees it.
            var chain = LedgerChain(after: try ledger.lastLedgerEntry(kind: nil))
            try ledger.append(chain.append(asOf: date, kind: .letter, key: key, payload: payload))
        }
        return ManualLetter.Issued(folder: writer.folderPath(folderName), files: files.map { $0.path }, reference: reference)
    }

    /// The open obligation a manual letter is for, with what its letter needs.
    private func openObligation(_ request: ManualLetter) throws -> FoundObligation {
        let rules = jobs.rules
        let date = request.asOf
        func matches(_ o: Obligation) -> Bool {
            guard o.kind == request.kind else { return false }
            guard let subject = request.subject else { return true }
            return o.record == subject || (o.record == nil && o.subject == subject)
        }
        var candidates: [FoundObligation] = []
        if request.kind.subjectType == .certificate {
            guard let file = try register.certificateFile(request.certificate) else {
                throw RunnerError(.input, "certificate \(request.certificate) is not in the register")
            }
            let history = CertificateHistory(file)
            let star = history.star(on: date, settings: rules.settings) ?? .none
            for o in rules.obligations(of: history, on: date) where matches(o) {
                candidates.append(FoundObligation(obligation: o, organization: file.organization, certificate: file.certificate,
                                                  validThrough: history.currentCycle(on: date)?.validThrough, star: star))
            }
        } else {
            guard request.subject != nil else {
                throw RunnerError(.input, "\(request.kind.rawValue) letters are about an \(request.kind.subjectType.rawValue): name it with --subject ID")
            }
            let file = try register.certificateFile(request.certificate)
            for o in try RegisterScan(register: register, rules: rules).otherObligations(on: date) where matches(o) {
                let organization = try o.organization.flatMap { try register.organizations([$0])[$0] } ?? file?.organization
                candidates.append(FoundObligation(obligation: o, organization: organization, certificate: file?.certificate,
                                                  validThrough: nil, star: .none))
            }
        }
        guard let found = candidates.first else {
            let what = request.subject.map { " \($0)" } ?? ""
            throw RunnerError(.input, "\(request.certificate) has no open \(request.kind.rawValue)\(what) obligation on \(date); `certcycle show \(request.certificate)` lists what is open")
        }
        guard candidates.count == 1 else {
            let records = candidates.compactMap { $0.obligation.record ?? $0.obligation.subject }.joined(separator: ", ")
            throw RunnerError(.input, "\(request.certificate) has \(candidates.count) open \(request.kind.rawValue) obligations; choose one with --subject (\(records))")
        }
        return found
    }

    static func letterPayload(_ found: FoundObligation, template: String, reference: String, folder: String, files: [NoticeFile]) -> String {
        let o = found.obligation
        var text = "{\"folder\":\(JSONLine.quote(folder)),\"obligation\":\(JSONLine.quote(found.key)),\"kind\":\(JSONLine.quote(o.kind.rawValue))"
        text += ",\"subject\":\(JSONLine.quote(o.subject)),\"stage\":\(JSONLine.quote(o.stage.rawValue)),\"template\":\(JSONLine.quote(template))"
        text += ",\"reference\":\(JSONLine.quote(reference)),\"files\":["
        text += files.map { "{\"path\":\(JSONLine.quote($0.path)),\"sha256\":\(JSONLine.quote(LedgerChain.sha256($0.data)))}" }.joined(separator: ",")
        return text + "]}"
    }
}
