public import CertCycleCore
import Foundation
import TOMLKit

/// The `Jobs/` folder: data staff can edit without a rebuild. Validated on load; a bad file
/// stops the program with one line naming it (exit 78).
///
/// ```
/// Jobs/rules.toml                 five-star threshold, decision working days
/// Jobs/obligations/<kind>.toml    notice period and escalation of each obligation kind
/// Jobs/calendars/<year>.toml      the official working-day calendar, one file per year
/// ```
public struct Jobs: Sendable {
    public var directory: String
    public var settings: RuleSettings
    public var calendar: WorkingCalendar
    /// Per kind, the Chinese title staff see (from the kind's file).
    public var titles: [ObligationKind: String]

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
            try file.rejectUnknownKeys(["five_star_revocation_score", "decision_working_days"])
            if let v = try file.double("five_star_revocation_score", range: 0...100) { settings.fiveStarRevocationScore = v }
            if let v = try file.int("decision_working_days", range: 1...60) { settings.decisionWorkingDays = v }
        }
        var titles: [ObligationKind: String] = [:]
        for kind in ObligationKind.allCases {
            let path = "\(directory)/obligations/\(kind.rawValue).toml"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let definition = try ObligationDefinition(file: TOMLFile(path: path), kind: kind)
            settings.kinds[kind] = definition.settings
            titles[kind] = definition.title
        }
        try rejectStrayFiles(in: directory + "/obligations", allowed: Set(ObligationKind.allCases.map { "\($0.rawValue).toml" }))
        let calendar = try loadCalendars(directory: directory + "/calendars")
        return Jobs(directory: directory, settings: settings, calendar: calendar, titles: titles)
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

/// `Jobs/obligations/<kind>.toml`: how one obligation kind is scheduled.
struct ObligationDefinition {
    static let keys: Set<String> = ["kind", "title", "notice_days", "escalation_working_days"]

    var title: String
    var settings: RuleSettings.Kind

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
    }
}
