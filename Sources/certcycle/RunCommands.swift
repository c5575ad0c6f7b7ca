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
        let started = Date()
        let logger = makeLogger(logFormat)
        var health: HealthCheck?
        var report: RunReport?
        var succeeded = false
        var deliveries: [String: [DeliveryStatus: Int]]?
        defer {
            if let metricsFile {
                do {
                    try MetricsFile(path: metricsFile).write(report: report, deliveries: deliveries, succeeded: succeeded, finished: Date(),
                                                             duration: Date().timeIntervalSince(started))
                } catch {
                    logger.error("cannot write the metrics file: \(error)")
                }
            }
        }
        try runReporting {
            let configuration = try common.loadConfiguration()
            if let url = configuration.healthcheckURL, !dryRun { health = HealthCheck(url: url) }
            health?.ping(.start, logger: logger)
            do {
                let jobs = try common.loadJobs(configuration)
                let templates = try loadTemplates(jobs)
                let endpoints = try PublishingEndpoint.load(configuration.endpoints)
                // The password is read before anything is recorded: a run must not queue mail it cannot send.
                let mail = try configuration.mail.map { try MailConnection.load($0) }
                // A bad job definition is a configuration error (78) whatever the register.
                try NightlyRun.checkTemplates(jobs, templates)
                // quick_check first: a damaged register stops the run before anything is written.
                let register = try common.openRegister(configuration, mode: dryRun ? .existing : .existingChecked)
                var nightly = NightlyRun(register: register, jobs: jobs, templates: templates,
                                         notices: NoticeFolderWriter(root: notices ?? configuration.notices), logger: logger,
                                         holder: processDescription())
                nightly.endpoints = configuration.endpoints
                nightly.mail = configuration.mail
                nightly.today = configuration.today()
                nightly.allowFuture = allowFuture
                let terminal = TerminalProgress()
                defer { terminal.finish() }
                nightly.progress = terminal.reporting
                let date = asOf.date(configuration)
                let result = try nightly.run(asOf: date, dryRun: dryRun)
                terminal.finish()
                report = result
                printSummary(result)
                var pending = 0
                if !dryRun, !endpoints.isEmpty {
                    var publisher = Publisher(outbox: register, endpoints: endpoints, logger: logger)
                    publisher.budget = configuration.deliveryBudget
                    publisher.progress = terminal.reporting
                    let published = try publisher.deliverDue(wait: 10, holder: processDescription())
                    terminal.finish()
                    print(PublishSummary.line(published))
                    pending = published.pending
                    deliveries = try register.deliveryCounts()
                }
                if !dryRun, let mail {
                    // After the day commits, like webhooks; what is left goes with `certcycle publish`.
                    var publisher = MailPublisher(outbox: register, connection: mail, logger: logger)
                    publisher.budget = configuration.deliveryBudget
                    publisher.progress = terminal.reporting
                    let published = try publisher.deliverDue(wait: 10, holder: processDescription())
                    terminal.finish()
                    print(PublishSummary.line(published, what: "mail"))
                    pending += published.pending
                    deliveries = try register.deliveryCounts()
                }
                succeeded = true
                health?.ping(.success, message: "certcycle run \(date): \(result.days.count) day(s)", logger: logger)
                if pending > 0 {
                    throw CLIError(.tryAgain, "\(pending) deliveries (webhooks or mail) are still pending; `certcycle publish` (or its timer) retries them")
                }
            } catch let error as CLIError where error.code == .tryAgain && succeeded {
                throw error
            } catch {
                health?.ping(.fail, message: "\(error)", logger: logger)
                throw error
            }
        }
    }

    func printSummary(_ report: RunReport) {
        if report.alreadyDone {
            print("\(report.asOf) is already done: nothing new")
            return
        }
        if let skipped = report.skipped {
            print("gap longer than max_catch_up_days: \(skipped.lowerBound)–\(skipped.upperBound) not caught up")
        }
        for day in report.days {
            let verb = report.dryRun ? "would write" : (day.adopted ? "kept" : "wrote")
            print("\(day.asOf): \(day.obligations) obligations, \(day.newStages) new stages, \(day.letters) letters, \(day.statusChanges) status changes, \(day.findings) warnings; \(verb) \(day.folder)")
            if report.dryRun {
                for name in day.letterFiles { print("  letters/\(name)") }
            }
        }
        if let last = report.days.last, !report.dryRun {
            print("open \(last.folder)/digest.html")
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
                    throw CLIError(.dataError, "ledger verify found \(result.problems.count) problem(s) in \(result.entries) records and \(result.files) notice files; restore what was changed from a backup")
                }
                print("ledger verified: \(result.entries) records, \(result.folders) notice folders, \(result.files) files unchanged")
            }
        }
    }
}

func makeLogger(_ format: LogFormat) -> Logger {
    Logger(label: "certcycle") { label in StderrLogHandler(label: label, format: format == .json ? .json : .text) }
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
