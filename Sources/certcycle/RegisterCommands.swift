import ArgumentParser
import CertCycleApp
import CertCycleNotices
import CertCycleConfig
import CertCycleCore
import CertCycleRegister
import CertCycleSampleData
import Foundation

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import the register's CSV files from a folder (all-or-nothing, upsert by id).",
        discussion: "Reads organizations.csv, certificates.csv and audits.csv (required) and the other register files when present. UTF-8 with or without BOM, or GB18030. Any bad row: every problem is listed as FILE:LINE: column COLUMN: …, nothing changes, exit 65."
    )

    @OptionGroup var common: CommonOptions
    @Argument(help: "The folder with the CSV files.") var directory: String

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let register = try common.openRegister(configuration, mode: .create)
            let terminal = TerminalProgress()
            defer { terminal.finish() }
            var importer = RegisterImporter(register: register)
            importer.progress = terminal.reporting
            let report = try importer.importDirectory(directory)
            terminal.finish()
            for file in report.files {
                print("\(file.table.fileName): \(file.rows) rows (\(file.encoding))")
            }
            print("imported into the register; \(try register.count(.certificates)) certificates in all")
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the register back as its CSV files (UTF-8 with BOM), ready to import again."
    )

    @OptionGroup var common: CommonOptions
    @Argument(help: "The folder to write (created when missing).") var directory: String

    func run() throws {
        try runReporting {
            let configuration = try common.loadConfiguration()
            let terminal = TerminalProgress()
            defer { terminal.finish() }
            var exporter = RegisterExporter(register: try common.openRegister(configuration))
            exporter.progress = terminal.reporting
            let counts = try exporter.exportDirectory(directory)
            terminal.finish()
            for table in RegisterTable.allCases {
                print("\(table.fileName): \(counts[table] ?? 0) rows")
            }
        }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic register of N certificates as CSV files (demos, load tests, benchmarks).",
        discussion: "Histories are realistic and cover every obligation kind and status around the --around date. The same seed gives the same files."
    )

    @OptionGroup var common: UnusedCommonOptions
    @Option(help: "How many certificates.") var certificates: Int
    @Option(help: "Random seed; the same seed gives the same files.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("The date the histories are built around (default 2026-06-30).", valueName: "date"), transform: parseDate)
    var around: CivilDate?
    @Option(help: "The folder to write.") var out: String

    func validate() throws {
        guard certificates >= 1 else { throw ValidationError("--certificates must be at least 1") }
    }

    func run() throws {
        try runReporting {
            var generator = RegisterGenerator(certificates: certificates, seed: seed)
            if let around { generator = RegisterGenerator(certificates: certificates, seed: seed, around: around) }
            let terminal = TerminalProgress()
            defer { terminal.finish() }
            let counts = try generator.write(to: out, progress: terminal.reporting)
            terminal.finish()
            for table in RegisterTable.allCases {
                print("\(table.fileName): \(counts[table] ?? 0) rows")
            }
        }
    }
}
