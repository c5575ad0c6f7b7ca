import ArgumentParser
import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCyclePublish
import CertCycleRegister
import CertCycleRunner
import Foundation
import Logging

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly job: scan, write the day's notices and letters, record everything.",
        discussion: """
        "Today" is the as-of date in the configured time zone. Days missed since the last run are \
        caught up one by one (up to max_catch_up_days in Jobs/runner.toml). The same as-of twice \
        writes nothing new. Only one run at a time: a second exits 75 at once, naming the holder.
        """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var asOf: AsOfOption
    @Flag(help: "Say what would be written, and change nothing.") var dryRun = false
    @Flag(help: "Allow an as-of date later than tomorrow (in the configured time zone).") var allowFuture = false
    @Option(help: ArgumentHelp("Where the NOTICES/YYYY-MM-DD folders go (default: the configuration's notices, else ./notices).", valueName: "dir"))
    var notices: String?
    @Option(help: "Logs on standard error: text or json (for journald and Kubernetes).") var logFormat: LogFormat = .text
    @Option(help: ArgumentHelp("Write a Prometheus text file here (node_exporter textfile collector).", valueName: "path"))
    var metricsFile: String?

    func run() throws {
        try runReporting {
            let terminal = TerminalProgress()
            defer { terminal.finish() }
            var job = NightlyJob(inputs: CommandInputs(common: common), logger: makeLogger(logFormat), holder: processDescription(),
                                 output: JobOutput(say: { print($0) }, progress: terminal.reporting, finishProgress: terminal.finish),
                                 asOf: asOf.date)
            job.dryRun = dryRun
            job.allowFuture = allowFuture
            job.notices = notices
            job.metricsFile = metricsFile
            let pending = try job.run()
            if pending > 0 {
                throw CLIError(.tryAgain, "\(pending) deliveries (webhooks or mail) are still pending; `certcycle publish` (or its timer) retries them")
            }
        }
    }
}

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The tamper-evident record of runs, stages, letters and notices.",
        subcommands: [Verify.self, Rollback.self]
    )

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the records of the days after a date: the repair after a run for a far-future date.",
            discussion: """
            Removes the ledger records of every day after DATE (the end of the hash chain, so `ledger verify` \
            still passes), the webhook events effective after DATE that no endpoint has accepted yet, and moves \
            those days' notice folders aside as YYYY-MM-DD.rolled-back-N (never deleted). DATE must be today or \
            later: days that have come may have had their letters sent. Asks before it changes anything, unless --yes.
            """
        )

        @OptionGroup var common: CommonOptions
        @Option(help: ArgumentHelp("Keep the days up to this date; remove the later ones.", valueName: "date"), transform: parseDate)
        var after: CivilDate
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @Option(help: ArgumentHelp("The notices folder (default: the configuration's notices, else ./notices).", valueName: "dir"))
        var notices: String?

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let today = configuration.today()
                guard after >= today else {
                    throw CLIError(.usage, "--after \(after) is before today (\(today)): only days still to come can be rolled back, "
                        + "since the letters of past days may have gone out; give --after \(today) or later")
                }
                let rollback = LedgerRollback(register: try common.openRegister(configuration),
                                              notices: NoticeFolderWriter(root: notices ?? configuration.notices))
                let plan = try rollback.plan(after: after)
                guard !plan.isEmpty else {
                    print("nothing after \(after): no ledger record or notice folder of a later day")
                    return
                }
                let days = plan.days.isEmpty ? "no completed run" : "runs of \(plan.days.count) day(s), \(plan.days.first!)–\(plan.days.last!)"
                print("after \(after): \(plan.entries) ledger record(s) (\(days)) will be removed, \(plan.folders.count) notice folder(s) moved aside, "
                    + "and webhook events effective after \(after) not yet delivered removed")
                if !yes {
                    print("Type yes to go on: ", terminator: "")
                    fflush(nil)
                    guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                        throw CLIError(.usage, "rollback cancelled: nothing changed (answer yes, or give --yes)")
                    }
                }
                let outcome = try rollback.apply(after: after, holder: processDescription())
                for folder in outcome.movedFolders { print("moved aside: \(folder)") }
                print("rolled back: \(outcome.plan.entries) ledger record(s) and \(outcome.eventsRemoved) undelivered event(s) removed; "
                    + "`certcycle run` now continues from the day after the last kept run")
                if outcome.eventsDelivered > 0 {
                    printError("note: \(outcome.eventsDelivered) event(s) effective after \(after) were already accepted by an endpoint and cannot be recalled; `certcycle outbox list` shows them")
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that no record or notice file was changed, removed or added after it was written.",
            discussion: "Walks the hash chain of the ledger and every notice folder's files; lists every problem and exits 65 if there is one."
        )

        @OptionGroup var common: CommonOptions
        @Option(help: ArgumentHelp("The notices folder (default: the configuration's notices, else ./notices).", valueName: "dir"))
        var notices: String?

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let verifier = LedgerVerifier(register: try common.openRegister(configuration, mode: .existingChecked),
                                              notices: NoticeFolderWriter(root: notices ?? configuration.notices))
                let result = try verifier.verify()
                for problem in result.problems { print(problem) }
                for folder in result.setAside { print("note: \(folder) was set aside by a run (kept for inspection)") }
                guard result.problems.isEmpty else {
                    throw CLIError(.data, "ledger verify found \(result.problems.count) problem(s) in \(result.entries) records and \(result.files) notice files; restore what was changed from a backup")
                }
                print("ledger verified: \(result.entries) records, \(result.folders) notice folders, \(result.files) files unchanged")
            }
        }
    }
}

func makeLogger(_ format: LogFormat) -> Logger {
    Logger(label: "certcycle") { label in StderrLogHandler(label: label, format: format == .json ? .json : .text) }
}

/// What a job reads, from the command's options.
struct CommandInputs: JobInputs {
    let common: CommonOptions

    func configuration() throws -> Configuration { try common.loadConfiguration() }
    func jobs(_ configuration: Configuration) throws -> Jobs { try common.loadJobs(configuration) }
    func templates(_ jobs: Jobs) throws -> LetterTemplates { try loadTemplates(jobs) }
    func register(_ configuration: Configuration, checked: Bool) throws -> any Register {
        try common.openRegister(configuration, mode: checked ? .existingChecked : .existing)
    }
}

func loadTemplates(_ jobs: Jobs) throws -> LetterTemplates {
    do {
        return try LetterTemplates.load(directory: jobs.templatesDirectory)
    } catch {
        throw ConfigError(file: error.file, error.message)
    }
}

/// "pid 1234 on host since 2026-11-29T01:30:00Z", for the lock file and run records.
func processDescription() -> String {
    "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(ISO8601DateFormatter().string(from: Date()))"
}
