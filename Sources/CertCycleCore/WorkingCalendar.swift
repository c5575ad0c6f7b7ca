import Foundation

/// The official mainland-China working-day calendar (RULES §1): Monday–Friday, minus public
/// holidays, plus the weekend make-up working days (调休) the State Council announces.
///
/// The data comes from `Jobs/calendars/YYYY.toml` (loaded outside this module). A year with no
/// data is counted on the provisional calendar of RULES §9 (Monday–Friday minus the statutory
/// holidays, see `StatutoryHolidays`), and every result computed through it is `provisional`.
public struct WorkingCalendar: Sendable {
    /// Years whose official announcement is loaded.
    public private(set) var coveredYears: Set<Int>
    private var daysOff: Set<Int>
    private var makeUpWorkdays: Set<Int>
    private let provisionalYears = ProvisionalYears()

    public init() {
        self.coveredYears = []
        self.daysOff = []
        self.makeUpWorkdays = []
    }

    /// Adds one year's announcement. Dates outside `year` are accepted (a holiday period may
    /// straddle New Year) but do not make another year covered.
    public mutating func addYear(_ year: Int, daysOff: some Sequence<CivilDate>, makeUpWorkdays: some Sequence<CivilDate>) {
        coveredYears.insert(year)
        self.daysOff.formUnion(daysOff.lazy.map(\.dayNumber))
        self.makeUpWorkdays.formUnion(makeUpWorkdays.lazy.map(\.dayNumber))
    }

    public func covers(_ date: CivilDate) -> Bool { coveredYears.contains(date.year) }

    /// Whether `date` is a working day; `provisional` when its year has no calendar data (then
    /// computed from the statutory holidays, RULES §9).
    public func isWorkingDay(_ date: CivilDate) -> (isWorkingDay: Bool, provisional: Bool) {
        guard covers(date) else { return (!date.isWeekend && !provisionalYears.daysOff(date.year).contains(date.dayNumber), true) }
        if makeUpWorkdays.contains(date.dayNumber) { return (true, false) }
        if daysOff.contains(date.dayNumber) { return (false, false) }
        return (!date.isWeekend, false)
    }

    /// The `n`-th working day strictly after `date` (n ≥ 1); `date` itself for n = 0.
    /// Provisional when any day stepped through lies in a year without data.
    public func addingWorkingDays(_ n: Int, to date: CivilDate) -> Dated {
        precondition(n >= 0, "addingWorkingDays takes a count of 0 or more")
        var day = date
        var remaining = n
        var provisional = false
        while remaining > 0 {
            day = day.addingDays(1)
            let answer = isWorkingDay(day)
            provisional = provisional || answer.provisional
            if answer.isWorkingDay { remaining -= 1 }
        }
        return Dated(day, provisional: provisional)
    }

    /// Working days after `start` up to and including `end` (0 when `end` ≤ `start`).
    public func workingDays(after start: CivilDate, through end: CivilDate) -> Dated.Count {
        var count = 0
        var provisional = false
        var day = start.addingDays(1)
        while day <= end {
            let answer = isWorkingDay(day)
            provisional = provisional || answer.provisional
            if answer.isWorkingDay { count += 1 }
            day = day.addingDays(1)
        }
        return .init(value: count, provisional: provisional)
    }
}

/// The provisional days off of the years asked about, computed once each.
///
/// `@unchecked Sendable`: the only state is the dictionary, read and written under the lock;
/// what it caches is a pure function of the year, so sharing it between copies of a calendar
/// cannot change any answer.
private final class ProvisionalYears: @unchecked Sendable {
    private let lock = NSLock()
    private var years: [Int: Set<Int>] = [:]

    func daysOff(_ year: Int) -> Set<Int> {
        lock.lock()
        defer { lock.unlock() }
        if let known = years[year] { return known }
        let days = Set(StatutoryHolidays.daysOff(of: year).map(\.dayNumber))
        years[year] = days
        return days
    }
}

/// A date computed through the working-day calendar, with whether any year it went through
/// lacked calendar data.
public struct Dated: Hashable, Sendable {
    public var date: CivilDate
    public var provisional: Bool

    public init(_ date: CivilDate, provisional: Bool = false) {
        self.date = date
        self.provisional = provisional
    }

    public struct Count: Hashable, Sendable {
        public var value: Int
        public var provisional: Bool
    }
}
