import ArgumentParser
import CertCycleApp
import CertCycleNotices
import CertCycleConfig
import CertCycleCore
import CertCycleRegister
import CertCycleRunner
import Foundation

/// Options every command takes: `--config`, `--db`, `--jobs`.
struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Configuration file (TOML). Default: $CERTCYCLE_CONFIG, else none.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Register: sqlite:PATH (embedded) or postgres://… Default: $CERTCYCLE_DB, else the configuration's db, else \(DatabaseLocation.defaultURL).", valueName: "url"))
    var db: String?

    @Option(help: ArgumentHelp("Job definitions, templates and calendars. Default: the configuration's jobs, else $CERTCYCLE_JOBS, ./Jobs, /etc/certcycle/Jobs, ../share/certcycle/Jobs beside the executable.", valueName: "dir"))
    var jobs: String?

    /// The configuration file, or the defaults when there is none.
    func loadConfiguration() throws -> Configuration {
        let path = config ?? ProcessInfo.processInfo.environment["CERTCYCLE_CONFIG"]
        guard let path else { return Configuration() }
        return try Configuration.load(path: path)
    }

    func loadJobs(_ configuration: Configuration) throws -> Jobs {
        try Jobs.load(directory: Jobs.locate(jobs ?? configuration.jobs))
    }

    /// The register of `--db`, `$CERTCYCLE_DB`, the configuration or the default. Only the
    /// commands that may make a register (`import`) pass `.create`; every other one is refused a
    /// file that is not already a register (INTERFACE.md "Opening a register").
    func openRegister(_ configuration: Configuration, mode: SQLiteRegister.OpenMode = .existing) throws -> any Register {
        let url = db ?? ProcessInfo.processInfo.environment["CERTCYCLE_DB"] ?? configuration.db ?? DatabaseLocation.defaultURL
        switch try DatabaseLocation(url) {
        case .sqlite(let path):
            return try SQLiteRegister(path: path, mode: mode)
        case .postgres(let url):
            return try openPostgresRegister(url)
        }
    }
}

/// `--config` and `--jobs` for the commands that need neither (generate, mandays, evaluate,
/// migrate-store): accepted, so that a wrapper or alias may pass them to every command.
struct UnusedCommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Accepted by every command; not used by this one.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Accepted by every command; not used by this one.", valueName: "dir"))
    var jobs: String?
}

extension CommonOptions {
    /// The read-only scan of the register with the rules of Jobs/, and the date to scan for.
    func registerScan(asOf: AsOfOption) throws -> (RegisterScan, CivilDate) {
        let configuration = try loadConfiguration()
        let jobs = try loadJobs(configuration)
        return (RegisterScan(register: try openRegister(configuration), rules: jobs.rules), asOf.date(configuration))
    }
}

/// An as-of date option, defaulting to today in the configured time zone.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The date to compute for (YYYY-MM-DD). Default: today in the configured time zone.", valueName: "date"),
            transform: parseDate)
    var asOf: CivilDate?

    func date(_ configuration: Configuration) -> CivilDate { asOf ?? configuration.today() }
}

func parseDate(_ text: String) throws -> CivilDate {
    guard let date = CivilDate(parsing: text) else {
        throw ValidationError("'\(text)' is not a date: use YYYY-MM-DD, YYYY/M/D or YYYY年M月D日")
    }
    return date
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, jsonl, csv
}
