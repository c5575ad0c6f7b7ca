public import CertCycleCore
import CertCycleNotices
import Foundation

/// What a run did, for the log, the metrics file and the exit code.
public struct RunReport: Sendable {
    public var asOf: CivilDate
    public var dryRun: Bool
    /// The as-of date was already done: nothing was written.
    public var alreadyDone = false
    /// Days of a gap longer than the catch-up bound that were not caught up.
    public var skipped: ClosedRange<CivilDate>?
    public var days: [DayReport] = []

    public init(asOf: CivilDate, dryRun: Bool) {
        self.asOf = asOf
        self.dryRun = dryRun
    }

    public var lettersWritten: Int { days.reduce(0) { $0 + $1.letters } }
}

/// One day of a run.
public struct DayReport: Sendable {
    public var asOf: CivilDate
    public var obligations: Int
    public var newStages: Int
    public var letters: Int
    public var statusChanges: Int
    public var findings: Int
    public var folder: String
    public var counts: [ObligationKind: [Stage: Int]]
    /// A folder a killed run had left, identical to this one's, was kept.
    public var adopted = false
    public var letterFiles: [String] = []
    /// Messages queued in the outbox for e-mail (letters and digests).
    public var mailQueued = 0
}

/// `manifest.json`: every file of the folder with its SHA-256, chained to the previous day's
/// manifest and to the ledger as it stood before the day was recorded.
struct Manifest {
    var asOf: CivilDate
    var bodyName: String
    var previousManifest: String?
    var ledgerSeq: Int
    var ledgerHash: String
    var files: [NoticeFileSummary]

    var json: Data {
        var out = "{\n"
        out += "  \"as_of\": \(JSONLine.quote(asOf.description)),\n"
        out += "  \"body\": \(JSONLine.quote(bodyName)),\n"
        out += "  \"previous_manifest_sha256\": \(previousManifest.map(JSONLine.quote) ?? "null"),\n"
        out += "  \"ledger_seq\": \(ledgerSeq),\n"
        out += "  \"ledger_hash\": \(JSONLine.quote(ledgerHash)),\n"
        out += "  \"files\": [\n"
        let sorted = files.sorted { $0.path < $1.path }
        for (index, file) in sorted.enumerated() {
            out += "    {\"path\": \(JSONLine.quote(file.path)), \"sha256\": \(JSONLine.quote(file.sha256)), \"bytes\": \(file.bytes)}"
            out += index == sorted.count - 1 ? "\n" : ",\n"
        }
        out += "  ]\n}\n"
        return Data(out.utf8)
    }
}

extension NightlyRun {
    /// The organisation is the obligation's own: a certificate's is its holder, whose record's id it is.
    static func stagePayload(_ o: Obligation, stage: String, letter: WrittenLetter?) -> String {
        var line = JSONLine()
        line.add("obligation", FoundObligation.key(o))
        line.add("kind", o.kind.rawValue)
        line.add("subject", o.subject)
        line.add("subject_type", o.subjectType.rawValue)
        line.add("stage", stage)
        line.add("opens", o.opens.description)
        line.add("due", o.due.description)
        line.add("escalation", o.escalation.rawValue)
        line.add("escalation_by", o.escalationBy?.date.description)
        line.add("clause", o.clause)
        line.add("record", o.record)
        line.add("organization", o.organization)
        line.add("letter", letter.map { "letters/" + $0.letter.fileName })
        line.add("letter_sha256", letter?.sha256)
        return line.string
    }

    static func changePayload(_ found: FoundChange, letter: WrittenLetter?) -> String {
        let c = found.change
        var line = JSONLine()
        line.add("certificate", found.certificate.certNo)
        line.add("organization", found.certificate.orgId)
        line.add("status", c.status.rawValue)
        line.add("previous_status", c.previousStatus?.rawValue)
        line.add("effective_on", c.date.description)
        line.add("scope", c.scope)
        line.add("star", c.star.rawValue)
        line.add("valid_through", c.validThrough.description)
        line.add("clause", c.clause)
        line.add("letter", letter.map { "letters/" + $0.letter.fileName })
        line.add("letter_sha256", letter?.sha256)
        return line.string
    }

    static func noticePayload(folder: String, manifestHash: String, files: [NoticeFileSummary]) -> String {
        var text = "{\"folder\":\(JSONLine.quote(folder)),\"manifest_sha256\":\(JSONLine.quote(manifestHash)),\"files\":["
        text += files.sorted { $0.path < $1.path }.map { file in
            "{\"path\":\(JSONLine.quote(file.path)),\"sha256\":\(JSONLine.quote(file.sha256))}"
        }.joined(separator: ",")
        return text + "]}"
    }

    func runPayload(_ day: DayReport) -> String {
        var line = JSONLine()
        line.add("as_of", day.asOf.description)
        line.add("obligations", day.obligations)
        line.add("new_stages", day.newStages)
        line.add("letters", day.letters)
        line.add("status_changes", day.statusChanges)
        line.add("findings", day.findings)
        line.add("adopted_folder", day.adopted)
        line.add("holder", holder)
        line.add("recorded_at", ISO8601DateFormatter().string(from: now()))
        return line.string
    }

    /// The manifest hash a `notice` entry records.
    static func manifestHash(ofNoticePayload payload: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else { return nil }
        return object["manifest_sha256"] as? String
    }
}
