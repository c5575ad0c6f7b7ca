import ArgumentParser
import CertCycleApp
import CertCycleNotices
import CertCycleConfig
import CertCycleCore
import CertCycleCSV
import CertCycleRegister
import CertCycleRunner
import Foundation

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every open obligation on a date (read-only).",
        discussion: "jsonl: one obligation per line, fields as INTERFACE.md gives them, in register order. csv: the same rows for Excel (UTF-8 with BOM). table: overdue first, for staff, followed by compliance and data warnings."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "table, jsonl or csv.") var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            let (scan, date) = try common.registerScan(asOf: asOf)
            let out = OutputSink.standardOutput()
            var findings: [Finding] = []
            switch format {
            case .jsonl:
                try scan.forEachObligation(on: date, findings: { findings.append($0) }) { o, file in
                    out.line(ObligationOutput.jsonLine(o, asOf: date, organizationName: file?.organization?.name))
                }
            case .csv:
                out.write("\u{FEFF}" + CSVWriter.line(ObligationOutput.csvHeader))
                try scan.forEachObligation(on: date, findings: { findings.append($0) }) { o, file in
                    out.write(CSVWriter.spreadsheetLine(ObligationOutput.csvRow(o, asOf: date, organizationName: file?.organization?.name)))
                }
            case .table:
                var rows: [(Obligation, String?)] = []
                try scan.forEachObligation(on: date, findings: { findings.append($0) }) { o, file in
                    rows.append((o, file?.organization?.name))
                }
                rows.sort { Obligation.staffOrder($0.0, $1.0) }
                var table = TextTable(header: ObligationOutput.tableHeader)
                for (o, name) in rows { table.append(ObligationOutput.tableRow(o, asOf: date, organizationName: name)) }
                out.line("\(date) 的待办事项：\(rows.count) 项（逾期 \(rows.count { $0.0.stage == .overdue }) 项）")
                out.write(table.render())
                if !findings.isEmpty {
                    out.line("\n提示（\(findings.count)）：")
                    for f in findings { out.line(TerminalText.visible(FindingOutput.line(f))) }
                }
            }
            out.flush()
            if format != .table, !findings.isEmpty {
                printError("note: \(findings.count) compliance or data warning(s); `certcycle scan --format table` lists them")
            }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every certificate's public state on a date (read-only).",
        discussion: "status is active, suspended, withdrawn or expired; since is the first day of the unbroken run with that status. Certificates not yet issued on the date are left out."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "table, jsonl or csv.") var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            let (scan, date) = try common.registerScan(asOf: asOf)
            let out = OutputSink.standardOutput()
            switch format {
            case .jsonl:
                try scan.forEachState(on: date) { s, file in out.line(StatusOutput.jsonLine(s, organization: file.organization)) }
            case .csv:
                out.write("\u{FEFF}" + CSVWriter.line(StatusOutput.csvHeader))
                try scan.forEachState(on: date) { s, file in out.write(CSVWriter.spreadsheetLine(StatusOutput.csvRow(s, organization: file.organization))) }
            case .table:
                var table = TextTable(header: StatusOutput.tableHeader)
                var counts: [CertificateStatus: Int] = [:]
                try scan.forEachState(on: date) { s, file in
                    table.append(StatusOutput.tableRow(s, organization: file.organization))
                    counts[s.status, default: 0] += 1
                }
                let summary = CertificateStatus.allCases.map { "\($0.chineseName) \(counts[$0] ?? 0)" }.joined(separator: "，")
                out.line("\(date) 的证书状态：\(summary)")
                out.write(table.render())
            }
            out.flush()
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One certificate: its record, status history, obligations and warnings."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "The certificate number.") var cert: String

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let register = try common.openRegister(configuration)
            let file = try requireCertificate(cert, in: register)
            let events = try register.deliveries(status: nil, endpoint: nil, certificate: cert, limit: 1000).map { delivery, event in
                CertificateReport.EventDelivery(delivery: delivery, event: event,
                                                attempts: try register.attempts(endpoint: delivery.endpoint, eventId: event.id))
            }
            let out = OutputSink.standardOutput()
            out.write(TerminalText.visible(CertificateReport.render(file, rules: jobs.rules, asOf: asOf.date(configuration), events: events)))
            out.flush()
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why each obligation of a certificate is due when it is: the records and every step, with clauses.",
        discussion: """
        For each open obligation of CERT on the as-of date (or only those of KIND): the register rows it \
        comes from (the cycle's audit, the surveillance audits, the nonconformity, suspension, misuse case, \
        appeal or application), the base date and why, the month arithmetic with its clamping to month \
        ends, and for an overdue one the working days counted to its escalation deadline with the \
        weekends, holidays and make-up working days met and any year counted provisionally. Text in \
        Chinese for staff; --format json for tools. Instead of CERT: --appeal ID or --application ID for \
        one of no certificate, --body for the body's own monthly reports to CNCA.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "The certificate number.") var cert: String?
    @Argument(help: ArgumentHelp("Only this obligation kind.", valueName: "kind"), transform: parseObligationKind)
    var kind: ObligationKind?
    @Option(help: ArgumentHelp("An appeal's obligation instead of a certificate's.", valueName: "id")) var appeal: String?
    @Option(help: ArgumentHelp("A not-acceptable application's obligation instead of a certificate's.", valueName: "id")) var application: String?
    @Flag(help: "The body's own monthly reports to CNCA (regulator_report) instead of a certificate's obligations.") var body = false
    @Option(help: "text or json.") var format: TextOrJSON = .text

    func validate() throws {
        let subjects = [cert != nil, appeal != nil, application != nil, body].count { $0 }
        guard subjects == 1 else { throw ValidationError("give one of CERT, --appeal ID, --application ID or --body") }
        if kind != nil, cert == nil { throw ValidationError("KIND goes with CERT") }
    }

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let register = try common.openRegister(configuration)
            let date = asOf.date(configuration)
            let explainer = RegisterExplainer(register: register, rules: jobs.rules, on: date)
            let subject: String
            let explanations: [Explanation]
            if let cert {
                explanations = try explainer.certificate(requireCertificate(cert, in: register), kind: kind)
                subject = cert
            } else if body {
                explanations = try explainer.body()
                subject = "本机构月度报告"
            } else {
                let (id, type): (String, SubjectType) = appeal.map { ($0, .appeal) } ?? (application!, .application)
                let all = try RegisterScan(register: register, rules: jobs.rules).otherObligations(on: date)
                guard let o = all.first(where: { $0.subjectType == type && $0.subject == id }) else {
                    let what = type == .appeal ? "appeal" : "not-acceptable application"
                    throw CLIError(.usage, "no open obligation of the \(what) '\(id)' on \(date); `certcycle scan` lists them")
                }
                explanations = try explainer.standalone(o)
                subject = (type == .appeal ? "申诉 " : "申请 ") + id
            }
            let out = OutputSink.standardOutput()
            switch format {
            case .text: out.write(TerminalText.visible(ExplanationOutput.text(certificate: subject, asOf: date, explanations, titles: jobs.title)))
            case .json: out.write(ExplanationOutput.json(certificate: subject, asOf: date, explanations))
            }
            out.flush()
        }
    }
}

enum ForecastFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, jsonl, html
}

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "The coming months' workload: surveillance audits, expiring certificates, recertification applications, man-days.",
        discussion: """
        For each month from the as-of date's: surveillance obligations due in the month (as `scan` shows \
        them on the month's last day), certificates whose validity ends in the month while in force, \
        recertification applications due in the month, and the on-site man-days they need (Appendix A: \
        surveillance at least 30% and recertification at least 70% of the initial audit). Assumes nothing \
        else happens after the as-of date.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "How many months (1–60).") var months: Int = 12
    @Option(help: "table, csv, jsonl or html.") var format: ForecastFormat = .table

    func validate() throws {
        guard (1...60).contains(months) else { throw ValidationError("--months must be from 1 to 60") }
    }

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let register = try common.openRegister(configuration)
            let date = asOf.date(configuration)
            var forecast = Forecast(rules: jobs.rules, asOf: date, months: months)
            try register.forEachCertificate { forecast.add(CertificateHistory($0)) }
            let out = OutputSink.standardOutput()
            switch format {
            case .table: out.write(ForecastOutput.table(forecast.months))
            case .csv: out.write(ForecastOutput.csv(forecast.months))
            case .jsonl: for m in forecast.months { out.write(ForecastOutput.jsonLine(m) + "\n") }
            case .html: out.write(ForecastOutput.html(forecast.months, bodyName: jobs.runner.bodyName, asOf: date))
            }
            out.flush()
        }
    }
}

/// The certificate's records, or exit 64 (a wrong argument, not bad data) naming it.
func requireCertificate(_ cert: String, in register: any Register) throws -> CertificateFile {
    guard let file = try register.certificateFile(cert) else {
        throw CLIError(.usage, "no certificate '\(cert)' in the register; `certcycle status` lists them")
    }
    return file
}

/// `certcycle report …`: reports for the regulator.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports for the regulator (CNCA).",
        subcommands: [MonthlyReportCommand.self]
    )
}

struct MonthlyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monthly",
        abstract: "The monthly report to CNCA: an .xlsx workbook of four sheets and the same sheets as CSV (recorded in the ledger).",
        discussion: """
        For the month given: certificates issued and renewed (a cycle decided in the month), public status \
        changes (suspended, restored, withdrawn, expired, scope and star changes), audits whose on-site work \
        ended in the month, and the certified organisations these concern. Sheet and column names come from \
        Jobs/reports/monthly.toml. The first report on a month fulfils that month's regulator_report \
        obligation (due on the 10th of the next month). Without --out the files go into a new folder \
        NOTICES/reports/YYYY-MM[-N]/.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: ArgumentHelp("The month reported on.", valueName: "YYYY-MM"), transform: parseReportMonth)
    var month: ReportMonth
    @Option(help: ArgumentHelp("Write the files into this folder instead of NOTICES/reports/YYYY-MM/.", valueName: "dir"))
    var out: String?
    @Option(help: ArgumentHelp("Where the notices go (default: the configuration's notices, else ./notices).", valueName: "dir"))
    var notices: String?

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let layout = try ReportLayout.load(jobs: jobs.directory)
            let register = try common.openRegister(configuration)
            let writer = MonthlyReportWriter(register: register, jobs: jobs, layout: layout, holder: processDescription())
            let result = try writer.write(month: month, generatedOn: asOf.date(configuration),
                                          notices: NoticeFolderWriter(root: notices ?? configuration.notices), outDirectory: out)
            let c = result.counts
            print("\(month.chineseName)认证数据：证书 \(c.certificates) 张（初次 \(c.issued)，再认证 \(c.renewed)），状态变更 \(c.statusChanges) 项，"
                + "审查 \(c.audits) 次，组织 \(c.organizations) 家")
            print("\(result.folder)/")
            for file in result.files { print("  \(file)") }
        }
    }
}

/// `2026-11`.
func parseReportMonth(_ text: String) throws -> ReportMonth {
    guard let month = ReportMonth(parsing: text) else {
        throw ValidationError("'\(text)' is not a month: write it as YYYY-MM, e.g. 2026-11")
    }
    return month
}
