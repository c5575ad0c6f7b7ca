import ArgumentParser
import CertCycleApp
import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleSampleData
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a sample register in the embedded database and run the nightly job on it: the first thing to run.",
        discussion: """
        Writes a sample register (a few dozen organisations, with a case of every obligation kind) as CSV \
        files into DIR/register, imports it into DIR/certcycle.sqlite (made anew), runs the nightly job \
        as a body would: adopted 30 days ago (that first night lists what was already open as backlog, \
        without letters), then every night up to today, so each day's folder has the letters of what \
        happened that day. Then it says where to open the digest.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "Where the demo's files go (made anew).") var dir: String = "demo"
    @Option(help: "How many generated certificates, besides the hand-made cases.") var certificates: Int = 36

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let jobs = try common.loadJobs(configuration)
            let templates = try loadTemplates(jobs)
            let date = asOf.date(configuration)
            let registerDir = dir + "/register"
            let dbPath = dir + "/certcycle.sqlite"
            let noticesDir = dir + "/notices"
            try removeDemo(dir)
            // Histories are built around today, so today's list has something of every kind.
            _ = try RegisterGenerator(certificates: certificates, seed: 2026, around: date).write(to: registerDir)
            try DemoShowcase.append(to: registerDir, around: date)
            let register = try SQLiteRegister(path: dbPath)
            let report = try RegisterImporter(register: register).importDirectory(registerDir)
            let rows = report.files.map { "\($0.table.rawValue) \($0.rows)" }.joined(separator: ", ")
            print("sample register: \(registerDir)/ (\(rows))")
            print("imported into:   \(dbPath)")

            var logger = makeLogger(.text)
            logger.logLevel = .warning
            let nightly = NightlyRun(register: register, jobs: jobs, templates: templates, notices: NoticeFolderWriter(root: noticesDir),
                                     logger: logger, holder: processDescription())
            // Adopted 30 days ago, then run every night: what a body sees after a month.
            let adopted = date.addingDays(-Self.adoptedDaysAgo)
            var letters = 0
            var night = adopted
            var result = try nightly.run(asOf: night)
            while night < date {
                night = night.addingDays(1)
                result = try nightly.run(asOf: night)
                letters += result.lettersWritten
            }
            guard let day = result.days.last else { return }
            print("nightly runs:    first night \(adopted) (backlog listed, no letters), then every night to \(date): \(letters) letters")
            print("today:           \(day.obligations) obligations, \(day.newStages) new stages, \(day.letters) letters, \(day.statusChanges) status changes, \(day.findings) warnings\n")

            var overdue: [String] = []
            for kind in ObligationKind.allCases {
                let counts = day.counts[kind] ?? [:]
                let total = counts.values.reduce(0, +)
                if total > 0 { overdue.append("  \(jobs.title(kind))：\(total) 项（逾期 \(counts[.overdue] ?? 0)）") }
            }
            print("\(date) 的待办事项：")
            overdue.forEach { print($0) }
            let db = "--db sqlite:\(dbPath)"
            print("""

            Open the staff digest:  \(day.folder)/digest.html
            Every day's digest:     \(noticesDir)/index.html
            Letters written today:  \(day.folder)/letters/   (each as .txt and as a print-ready .html)
            Then try:
              certcycle scan \(db)                every open obligation, overdue first
              certcycle status \(db)              every certificate's public status
              certcycle show \(db) CAS-DEMO-02    one certificate in full
              certcycle ledger verify \(db) --notices \(noticesDir)
              certcycle letter \(db) --notices \(noticesDir) CAS-DEMO-02 corrective_action    a letter on purpose
            """)
        }
    }

    static let adoptedDaysAgo = 30

    /// Removes an earlier demo (its notice files are read-only).
    func removeDemo(_ dir: String) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: dir) else { return }
        if let enumerator = fm.enumerator(atPath: dir) {
            chmod(dir, 0o755)
            while let item = enumerator.nextObject() as? String { chmod(dir + "/" + item, 0o755) }
        }
        for name in ["register", "notices", "certcycle.sqlite", "certcycle.sqlite-wal", "certcycle.sqlite-shm", "certcycle.sqlite.lock"]
        where fm.fileExists(atPath: dir + "/" + name) {
            try fm.removeItem(atPath: dir + "/" + name)
        }
    }
}
