import ArgumentParser
import CertCycleApp
import CertCycleNotices
import CertCycleConfig
import CertCycleCore
import Foundation

enum TextOrJSON: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct ManDaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mandays",
        abstract: "On-site audit man-days (Appendix A), with the 30% reduction limit (6.2.3) and the 30% / 70% shares (7.4, 8.2)."
    )

    @OptionGroup var common: UnusedCommonOptions
    // `.unconditional`: `--employees -1` is a value to refuse clearly, not a missing value and an unknown option.
    @Option(parsing: .unconditional, help: "Service-related headcount, including part-time, seasonal, temporary and subcontracted staff.")
    var employees: Int
    @Option(help: "initial, surveillance or recertification.") var audit: AuditChoice
    @Option(help: "text or json.") var format: TextOrJSON = .text

    func validate() throws {
        guard employees >= 1 else { throw ValidationError("--employees must be at least 1") }
    }

    func run() {
        let m = ManDays(employees: employees, audit: ManDayAudit(rawValue: audit.rawValue)!)
        print(format == .json ? ToolOutput.manDaysJSON(m) : ToolOutput.manDaysText(m), terminator: "")
    }
}

enum AuditChoice: String, ExpressibleByArgument, CaseIterable {
    case initial, surveillance, recertification
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pass, fail and five-star recommendation of an audit score (6.5)."
    )

    @OptionGroup var common: UnusedCommonOptions
    @Option(parsing: .unconditional, help: "The audit's overall score, 0–100.") var score: Double
    @Option(parsing: .unconditional, help: "The number of deduction items.") var deductions: Int
    @Option(help: "text or json.") var format: TextOrJSON = .text

    func validate() throws {
        guard (0...100).contains(score) else { throw ValidationError("--score must be from 0 to 100") }
        guard deductions >= 0 else { throw ValidationError("--deductions must be 0 or more") }
    }

    func run() {
        let e = AuditEvaluation(score: score, deductions: deductions)
        print(format == .json ? ToolOutput.evaluationJSON(e) : ToolOutput.evaluationText(e), terminator: "")
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "The official working-day calendar.",
        subcommands: [AddWorkingDays.self, Status.self]
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The years the calendar files cover and what is counted provisionally (RULES §9).",
            discussion: "Lists the years of Jobs/calendars/YYYY.toml, the provisional days off of this year and next when they have no file, and the warning staff see from 1 November when next year's file is missing."
        )

        @OptionGroup var common: CommonOptions
        @OptionGroup var asOf: AsOfOption

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let jobs = try common.loadJobs(configuration)
                print(ToolOutput.calendarStatus(jobs.calendar, directory: jobs.directory + "/calendars", asOf: asOf.date(configuration)), terminator: "")
            }
        }
    }

    struct AddWorkingDays: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-working-days",
            abstract: "The N-th working day strictly after DATE (holidays and make-up working days included).",
            discussion: "Prints the date; when a year on the way has no calendar data, the date is computed Monday–Friday and the line says provisional."
        )

        @OptionGroup var common: CommonOptions
        @Argument(help: "The start date.", transform: parseDate) var date: CivilDate
        @Argument(help: "How many working days (0 to 100000).") var count: Int

        /// About 400 years of working days: enough for any real deadline, and the count is walked
        /// day by day, so an unbounded N (9223372036854775807) would never finish.
        static let maxCount = 100_000

        func validate() throws {
            guard count >= 0 else { throw ValidationError("N must be 0 or more") }
            guard count <= Self.maxCount else { throw ValidationError("N must be at most \(Self.maxCount) (about 400 years of working days)") }
        }

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let jobs = try common.loadJobs(configuration)
                print(ToolOutput.workingDays(jobs.calendar.addingWorkingDays(count, to: date), from: date, calendar: jobs.calendar))
            }
        }
    }
}
