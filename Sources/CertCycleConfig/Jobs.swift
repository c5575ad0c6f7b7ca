public import CertCycleCore
import Foundation
import TOMLKit

/// The `Jobs/` folder: data staff can edit without a rebuild. Validated on load; a bad file
/// stops the program with one line naming it (exit 78).
///
/// ```
/// Jobs/rules.toml                 five-star threshold, decision working days
/// Jobs/runner.toml                the body's name, catch-up bound, status-change letters
/// Jobs/obligations/<kind>.toml    notice period, escalation, letters and reminders of each kind
/// Jobs/calendars/<year>.toml      the official working-day calendar, one file per year
/// Jobs/templates/*.mustache       the letters (checked by the runner when it loads them)
/// ```
public struct Jobs: Sendable {
    public var directory: String
    public var settings: RuleSettings
    public var calendar: WorkingCalendar
    /// Per kind, the Chinese title staff see (from the kind's file).
    public var titles: [ObligationKind: String]
    /// Per kind, the letters it sends and when it reminds.
    public var letters: [ObligationKind: LetterPlan]
    public var runner: RunnerSettings

    public var templatesDirectory: String { directory + "/templates" }

    public func title(_ kind: ObligationKind) -> String { titles[kind] ?? kind.chineseName }

    public var rules: CertificationRules { CertificationRules(settings: settings, calendar: calendar) }

    public static func load(directory: String) throws(ConfigError) -> Jobs {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError(file: directory, "the jobs folder does not exist (set --jobs or `jobs` in the configuration)")
        }
        var settings = RuleSettings()
        let rulesPath = directory + "/rules.toml"
        if FileManager.default.fileExists(atPath: rulesPath) {
            let file = try TOMLFile(path: rulesPath)
            try file.rejectUnknownKeys(["five_star_revocation_score", "decision_working_days", "licence_pending_reminder_days"])
            if let v = try file.double("five_star_revocation_score", range: 0...100) { settings.fiveStarRevocationScore = v }
            if let v = try file.int("decision_working_days", range: 1...60) { settings.decisionWorkingDays = v }
            if let v = try file.int("licence_pending_reminder_days", range: 0...366) { settings.licencePendingReminderDays = v }
        }
        var titles: [ObligationKind: String] = [:]
        var letters: [ObligationKind: LetterPlan] = [:]
        for kind in ObligationKind.allCases {
            let path = "\(directory)/obligations/\(kind.rawValue).toml"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let definition = try ObligationDefinition(file: TOMLFile(path: path), kind: kind)
            settings.kinds[kind] = definition.settings
            titles[kind] = definition.title
            letters[kind] = definition.letters
        }
        try rejectStrayFiles(in: directory + "/obligations", allowed: Set(ObligationKind.allCases.map { "\($0.rawValue).toml" }))
        var runner = RunnerSettings()
        let runnerPath = directory + "/runner.toml"
        if FileManager.default.fileExists(atPath: runnerPath) {
            runner = try RunnerSettings(file: TOMLFile(path: runnerPath))
        }
        let calendar = try loadCalendars(directory: directory + "/calendars")
        return Jobs(directory: directory, settings: settings, calendar: calendar, titles: titles, letters: letters, runner: runner)
    }

    /// Every `YYYY.toml` in `directory`; each must say its own year and hold only its dates.
    public static func loadCalendars(directory: String) throws(ConfigError) -> WorkingCalendar {
        var calendar = WorkingCalendar()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = directory + "/" + name
            guard name.hasSuffix(".toml"), let year = Int(name.dropLast(5)), (1900...2200).contains(year) else {
                throw ConfigError(file: path, "a calendar file must be named YYYY.toml")
            }
            let file = try TOMLFile(path: path)
            try file.rejectUnknownKeys(["year", "source", "festival"])
            guard let stated = try file.int("year", range: 1900...2200), stated == year else {
                throw ConfigError(file: path, "'year' must be \(year), as the file name says")
            }
            var off: [CivilDate] = []
            var work: [CivilDate] = []
            for entry in file.table["festival"]?.array ?? TOMLArray() {
                guard let festival = entry.table else { throw ConfigError(file: path, "each [[festival]] must be a table") }
                try file.rejectUnknownKeys(["name", "days_off", "make_up_workdays"], in: festival, context: "festival.")
                let name = try file.string("name", in: festival) ?? "?"
                let daysOff = try file.dates("days_off", in: festival)
                let makeUp = try file.dates("make_up_workdays", in: festival)
                for date in daysOff + makeUp where date.year != year {
                    throw ConfigError(file: path, "festival '\(name)': \(date) is not in \(year); put it in \(date.year).toml")
                }
                off += daysOff
                work += makeUp
            }
            if let both = Set(off).intersection(work).min() {
                throw ConfigError(file: path, "\(both) is both a day off and a make-up working day")
            }
            calendar.addYear(year, daysOff: off, makeUpWorkdays: work)
        }
        return calendar
    }

    private static func rejectStrayFiles(in directory: String, allowed: Set<String>) throws(ConfigError) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name.hasSuffix(".toml") && !allowed.contains(name) {
            throw ConfigError(file: directory + "/" + name, "not an obligation kind (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}

/// Which letters an obligation kind sends: a template per stage it writes to the organisation
/// on, and reminders a number of days before the due date while it is due.
public struct LetterPlan: Sendable, Hashable {
    /// Stage → template name (in Jobs/templates, without `.mustache`).
    public var stages: [Stage: String] = [:]
    public var reminder: String?
    public var reminderDaysBeforeDue: [Int] = []
    /// A letter staff issue on purpose only (`certcycle letter`), never the nightly run: the
    /// appeal reply, whose answer staff write.
    public var manual: String?

    public init(stages: [Stage: String] = [:], reminder: String? = nil, reminderDaysBeforeDue: [Int] = [], manual: String? = nil) {
        self.stages = stages
        self.reminder = reminder
        self.reminderDaysBeforeDue = reminderDaysBeforeDue
        self.manual = manual
    }

    /// The template of the latest stage before `stage` that has one: the letter an obligation
    /// first seen past that stage gets (the surveillance notice for one first seen while due).
    public func earlierStageTemplate(before stage: Stage) -> String? {
        let lifecycle: [Stage] = [.upcoming, .due, .overdue]
        return lifecycle[..<lifecycle.firstIndex(of: stage)!].reversed().compactMap { stages[$0] }.first
    }

    /// The reminder thresholds (days before `due`) crossed on `date`.
    public func crossedReminders(due: CivilDate, on date: CivilDate) -> [Int] {
        reminderDaysBeforeDue.filter { date >= due.addingDays(-$0) }
    }

    /// Every template the plan names.
    public var templates: [String] { (Array(stages.values) + [reminder, manual].compactMap { $0 }).sorted() }
}

/// `Jobs/runner.toml`: how the nightly run behaves.
public struct RunnerSettings: Sendable, Hashable {
    /// Signs the letters.
    public var bodyName = "杭州中奥质量认证有限公司"
    /// The body's postal address, contact person and telephone, printed on every letter (RULES §8).
    public var bodyAddress = ""
    public var contactPerson = ""
    public var contactPhone = ""
    /// The fixed part of each letter's reference number (文号): `PREFIX〔YYYY〕MMDD-NNN号`.
    public var referencePrefix = "认证函"
    /// Where a rule's date has passed, a letter asks for an answer within this many working days
    /// of its own date (RULES §8).
    public var respondWorkingDays = 5
    /// A gap longer than this is caught up only for its last days (the rest is logged).
    public var maxCatchUpDays = 31
    /// How many subjects (certificates, appeals, applications, the body) of a day's digest get an
    /// explanation page it links, the most urgent first (0: none).
    public var explanationPages = 1000
    /// Status change → template: keys of `statusLetterKeys`.
    public var statusLetters: [String: String] = [:]

    public static let statusLetterKeys: Set<String> = [
        "suspended", "withdrawn", "expired", "restored", "scope_reduced", "scope_restored", "star_removed",
    ]

    public init() {}

    init(file: TOMLFile) throws(ConfigError) {
        try file.rejectUnknownKeys(["body_name", "body_address", "contact_person", "contact_phone", "reference_prefix",
                                    "respond_working_days", "max_catch_up_days", "explanation_pages", "status_letters"])
        if let name = try file.string("body_name") { bodyName = name }
        if let value = try file.string("body_address") { bodyAddress = value }
        if let value = try file.string("contact_person") { contactPerson = value }
        if let value = try file.string("contact_phone") { contactPhone = value }
        if let value = try file.string("reference_prefix") { referencePrefix = value }
        if let days = try file.int("respond_working_days", range: 1...60) { respondWorkingDays = days }
        if let days = try file.int("max_catch_up_days", range: 1...3660) { maxCatchUpDays = days }
        if let pages = try file.int("explanation_pages", range: 0...100_000) { explanationPages = pages }
        if let value = file.table["status_letters"] {
            guard let table = value.table else { throw ConfigError(file: file.path, "[status_letters] must be a table") }
            try file.rejectUnknownKeys(Self.statusLetterKeys, in: table, context: "status_letters.")
            for key in table.keys {
                statusLetters[key] = try file.string(key, in: table)
            }
        }
    }
}

/// `Jobs/obligations/<kind>.toml`: how one obligation kind is scheduled.
struct ObligationDefinition {
    static let keys: Set<String> = ["kind", "title", "notice_days", "escalation_working_days", "letters"]
    static let letterKeys: Set<String> = ["upcoming", "due", "overdue", "reminder", "reminder_days_before_due", "manual"]

    var title: String
    var settings: RuleSettings.Kind
    var letters = LetterPlan()

    init(file: TOMLFile, kind: ObligationKind) throws(ConfigError) {
        try file.rejectUnknownKeys(Self.keys)
        guard try file.string("kind") == kind.rawValue else {
            throw ConfigError(file: file.path, "'kind' must be \"\(kind.rawValue)\", as the file name says")
        }
        title = try file.string("title") ?? kind.chineseName
        let defaults = RuleSettings.defaultKinds[kind]!
        settings = RuleSettings.Kind(
            noticeDays: try file.int("notice_days", range: 0...366) ?? defaults.noticeDays,
            escalationWorkingDays: try file.int("escalation_working_days", range: 1...60) ?? defaults.escalationWorkingDays
        )
        if let value = file.table["letters"] {
            guard let table = value.table else { throw ConfigError(file: file.path, "[letters] must be a table") }
            try file.rejectUnknownKeys(Self.letterKeys, in: table, context: "letters.")
            for stage in Stage.allCases {
                if let template = try file.string(stage.rawValue, in: table) { letters.stages[stage] = template }
            }
            letters.reminder = try file.string("reminder", in: table)
            letters.manual = try file.string("manual", in: table)
            if let days = table["reminder_days_before_due"] {
                guard let array = days.array else { throw ConfigError(file: file.path, "'reminder_days_before_due' must be a list of whole numbers") }
                letters.reminderDaysBeforeDue = try array.map { (element) throws(ConfigError) -> Int in
                    guard let n = element.int, (1...366).contains(n) else {
                        throw ConfigError(file: file.path, "'reminder_days_before_due' must hold whole numbers from 1 to 366")
                    }
                    return n
                }.sorted(by: >)
            }
            if !letters.reminderDaysBeforeDue.isEmpty, letters.reminder == nil {
                throw ConfigError(file: file.path, "'reminder_days_before_due' needs a 'reminder' template")
            }
        }
    }
}
