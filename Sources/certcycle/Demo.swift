import ArgumentParser
import CertCycleApp
import CertCycleNotices
import CertCycleConfig
import CertCycleCore
import CertCycleRegister
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a sample register in the embedded database and show today's obligations: the first thing to run.",
        discussion: "Writes a few dozen sample organisations as CSV files into DIR/register, imports them into DIR/certcycle.sqlite (made anew), and prints what is due today."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "Where the demo's files go.") var dir: String = "demo"
    @Option(help: "How many sample certificates.") var certificates: Int = 40

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let date = asOf.date(configuration)
            let registerDir = dir + "/register"
            let dbPath = dir + "/certcycle.sqlite"
            let fm = FileManager.default
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: dbPath + suffix) {
                try fm.removeItem(atPath: dbPath + suffix)
            }
            // Histories are built around today, so every kind of obligation is on today's list.
            _ = try RegisterGenerator(certificates: certificates, seed: 2026, around: date).write(to: registerDir)
            let register = try SQLiteRegister(path: dbPath)
            let report = try RegisterImporter(register: register).importDirectory(registerDir)
            let rows = report.files.map { "\($0.table.rawValue) \($0.rows)" }.joined(separator: ", ")
            print("sample register: \(registerDir)/ (\(rows))")
            print("imported into:   \(dbPath)\n")

            let scan = RegisterScan(register: register, rules: jobs.rules)
            var obligations: [(Obligation, String?)] = []
            var findings: [Finding] = []
            try scan.forEachObligation(on: date, findings: { findings.append($0) }) { o, file in
                obligations.append((o, file?.organization?.name))
            }
            obligations.sort { Obligation.staffOrder($0.0, $1.0) }
            var table = TextTable(header: ObligationOutput.tableHeader)
            for (o, name) in obligations { table.append(ObligationOutput.tableRow(o, asOf: date, organizationName: name)) }
            print("\(date) 的待办事项：\(obligations.count) 项（逾期 \(obligations.count { $0.0.stage == .overdue }) 项）")
            print(table.render())
            if !findings.isEmpty {
                print("提示（\(findings.count)）：")
                findings.forEach { print(FindingOutput.line($0)) }
                print("")
            }
            let db = "--db sqlite:\(dbPath)"
            print("""
            Next:
              certcycle status \(db)                   every certificate's public status today
              certcycle scan \(db) --format csv > obligations.csv   the list above for Excel
              certcycle show \(db) \(obligations.first?.0.subjectType == .certificate ? obligations.first!.0.subject : "CERT")   one certificate in full
            """)
        }
    }
}
