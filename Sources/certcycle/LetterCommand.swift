import ArgumentParser
import CertCycleCore
import CertCycleNotices
import CertCycleRunner
import Foundation

/// An obligation kind named on the command line (`surveillance`, `corrective_action`, …).
func parseObligationKind(_ text: String) throws -> ObligationKind {
    guard let kind = ObligationKind(rawValue: text) else {
        throw ValidationError("'\(text)' is not an obligation kind: use one of \(ObligationKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return kind
}

struct LetterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letter",
        abstract: "Write one letter now, on purpose, for an open obligation (recorded in the ledger).",
        discussion: """
        For a stage the register's first night listed as backlog (存量) without a letter, or for the \
        written reply to an appeal (KIND appeal_reply, with --subject APPEAL-ID and --decision FILE \
        holding the body's answer). The letter is dated the as-of date and numbered PREFIX〔YYYY〕MMDD-SNN号; \
        it goes into NOTICES/manual/YYYY-MM-DD-SNN/letters/ as text and as a print-ready HTML page.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "The certificate number (for appeals and applications: the certificate or organisation concerned).")
    var certificate: String
    @Argument(help: ArgumentHelp("The obligation kind: \(ObligationKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"),
              transform: parseObligationKind)
    var kind: ObligationKind
    @Option(help: ArgumentHelp("The appeal or application id, or the record (nonconformity, suspension, misuse case) when there are several.", valueName: "id"))
    var subject: String?
    @Option(help: ArgumentHelp("A UTF-8 text file with the body's answer, for an appeal reply.", valueName: "file"))
    var decision: String?
    @Option(help: ArgumentHelp("Where the notices go (default: the configuration's notices, else ./notices).", valueName: "dir"))
    var notices: String?

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let templates = try loadTemplates(jobs)
            let register = try common.openRegister(configuration)
            var answer: String?
            if let decision {
                guard let data = FileManager.default.contents(atPath: decision), let text = String(data: data, encoding: .utf8) else {
                    throw CLIError(.data, "\(decision): cannot read the answer as UTF-8 text")
                }
                answer = text
            }
            let nightly = NightlyRun(register: register, jobs: jobs, templates: templates,
                                     notices: NoticeFolderWriter(root: notices ?? configuration.notices), logger: makeLogger(.text),
                                     holder: processDescription())
            let issued = try nightly.issue(ManualLetter(certificate: certificate, kind: kind, subject: subject, asOf: asOf.date(configuration),
                                                        decision: answer))
            print("\(issued.reference): \(issued.folder)/")
            for file in issued.files { print("  \(file)") }
        }
    }
}
