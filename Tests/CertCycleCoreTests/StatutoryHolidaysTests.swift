import Foundation
import Testing
@testable import CertCycleCore

/// The April day of Qingming for 1900–2100 as published in the solar-term table of the
/// chinese-calendar package (1.11.0), the source of Jobs/calendars; only a test reference:
/// the code computes the solar term.
let publishedQingmingDays: [Int] = [
        5, 5, 6, 6, 5, 5, 6, 6, 5, 5,  // 1900–1909
        6, 6, 5, 5, 5, 6, 5, 5, 5, 6,  // 1910–1919
        5, 5, 5, 6, 5, 5, 5, 6, 5, 5,  // 1920–1929
        5, 6, 5, 5, 5, 6, 5, 5, 5, 6,  // 1930–1939
        5, 5, 5, 6, 5, 5, 5, 5, 5, 5,  // 1940–1949
        5, 5, 5, 5, 5, 5, 5, 5, 5, 5,  // 1950–1959
        5, 5, 5, 5, 5, 5, 5, 5, 5, 5,  // 1960–1969
        5, 5, 5, 5, 5, 5, 4, 5, 5, 5,  // 1970–1979
        4, 5, 5, 5, 4, 5, 5, 5, 4, 5,  // 1980–1989
        5, 5, 4, 5, 5, 5, 4, 5, 5, 5,  // 1990–1999
        4, 5, 5, 5, 4, 5, 5, 5, 4, 4,  // 2000–2009
        5, 5, 4, 4, 5, 5, 4, 4, 5, 5,  // 2010–2019
        4, 4, 5, 5, 4, 4, 5, 5, 4, 4,  // 2020–2029
        5, 5, 4, 4, 5, 5, 4, 4, 5, 5,  // 2030–2039
        4, 4, 4, 5, 4, 4, 4, 5, 4, 4,  // 2040–2049
        4, 5, 4, 4, 4, 5, 4, 4, 4, 5,  // 2050–2059
        4, 4, 4, 5, 4, 4, 4, 5, 4, 4,  // 2060–2069
        4, 5, 4, 4, 4, 4, 4, 4, 4, 4,  // 2070–2079
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  // 2080–2089
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  // 2090–2099
        4,  // 2100–2100
]

@Suite("§9 a year without a calendar file counts the statutory holidays")
struct StatutoryHolidaysTests {
    @Test("Qingming is the day of the solar term (15° solar longitude, Beijing time), 1900–2099")
    func qingmingMatchesThePublishedTable() {
        var wrong: [String] = []
        for (offset, day) in publishedQingmingDays.enumerated() where offset < 200 {
            let year = 1900 + offset
            let computed = StatutoryHolidays.qingming(year)
            if computed != CivilDate(year: year, month: 4, day: day)! { wrong.append("\(year): \(computed), published 04-\(day)") }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    @Test("Qingming falls on 4 April in some years and 5 April in others", arguments: [
        (2004, 4), (2005, 5), (2008, 4), (2014, 5), (2020, 4), (2023, 5), (2025, 4), (2026, 5), (2027, 5), (2028, 4),
    ])
    func qingmingFourOrFive(year: Int, day: Int) {
        #expect(StatutoryHolidays.qingming(year) == CivilDate(year: year, month: 4, day: day)!)
    }

    @Test("Spring Festival eve is the day before lunar 1/1, also when the 12th month has 29 days")
    func springFestivalEve() {
        // 2026: lunar 1/1 is 17 February; the 12th month of 2025 has 29 days, so the eve is 腊月廿九.
        let festival = StatutoryHolidays.festivals(of: 2026).first { $0.name == "春节" }!
        #expect(festival.statutoryDays == ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19"].map(d))
        #expect(StatutoryHolidays.chineseParts(d("2026-02-16")) == (12, 29, false))
        // 2024: the 12th month of 2023 has 30 days; the eve is 腊月三十, 9 February.
        #expect(StatutoryHolidays.chineseParts(d("2024-02-09")) == (12, 30, false))
        #expect(StatutoryHolidays.festivals(of: 2024).first { $0.name == "春节" }!.statutoryDays.first == d("2024-02-09"))
    }

    @Test("the 2027 statutory holidays, with weekend days made up after their block")
    func year2027() {
        let festivals = StatutoryHolidays.festivals(of: 2027)
        let byName = Dictionary(uniqueKeysWithValues: festivals.map { ($0.name, $0) })
        // 1 January 2027 is a Friday: nothing to make up.
        #expect(byName["元旦"]!.daysOff == [d("2027-01-01")])
        // Lunar new year 6 February 2027 (Saturday): eve Friday 5 Feb; Sat 6 and Sun 7 are made
        // up on Tuesday 9 and Wednesday 10 February (Monday 8 is 1/3 itself).
        #expect(byName["春节"]!.statutoryDays == ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"].map(d))
        #expect(byName["春节"]!.madeUpDays == ["2027-02-09", "2027-02-10"].map(d))
        // Qingming Monday 5 April; 1–2 May Saturday–Sunday, made up Monday 3 and Tuesday 4 May.
        #expect(byName["清明节"]!.daysOff == [d("2027-04-05")])
        #expect(byName["劳动节"]!.daysOff == ["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04"].map(d))
        // Dragon Boat Wednesday 9 June; Mid-Autumn Wednesday 15 September.
        #expect(byName["端午节"]!.daysOff == [d("2027-06-09")])
        #expect(byName["中秋节"]!.daysOff == [d("2027-09-15")])
        // 1–3 October 2027: Friday to Sunday; the two weekend days are made up Monday 4 and Tuesday 5.
        #expect(byName["国庆节"]!.daysOff == ["2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05"].map(d))
    }

    @Test("a statutory day on a Sunday is made up on the Monday after", arguments: [
        // 1 January 2023 was a Sunday; Qingming 2021 (4 April) a Sunday; 1 October 2023 a Sunday.
        ("2023-01-01", "元旦", "2023-01-02"),
        ("2021-04-04", "清明节", "2021-04-05"),
    ])
    func sundayMadeUpOnMonday(day: String, name: String, madeUp: String) {
        let festival = StatutoryHolidays.festivals(of: d(day).year).first { $0.name == name }!
        #expect(festival.statutoryDays.contains(d(day)))
        #expect(festival.madeUpDays == [d(madeUp)])
    }

    @Test("Mid-Autumn on 1 October shares the National Day block and is made up after it")
    func midAutumnOnNationalDay() {
        // 2020: Mid-Autumn was Thursday 1 October; 1–3 October Thursday–Saturday, 4 October a Sunday.
        let festivals = StatutoryHolidays.festivals(of: 2020)
        let off = Set(festivals.flatMap(\.daysOff))
        #expect(festivals.first { $0.name == "中秋节" }!.statutoryDays == [d("2020-10-01")])
        // Saturday 3 October is made up on Monday 5 October; the day Mid-Autumn shares is not doubled.
        #expect(off.contains(d("2020-10-05")))
        #expect(!off.contains(d("2020-10-06")))
    }

    @Test("every computed statutory day lies in the announced days off of its year, 2008–2026")
    func computedDaysLieInTheAnnouncements() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for year in 2008...2026 {
            let text = try String(contentsOf: root.appendingPathComponent("Jobs/calendars/\(year).toml"), encoding: .utf8)
            let announced = text.split(separator: "\n").filter { $0.hasPrefix("days_off") }.joined(separator: " ")
            for festival in StatutoryHolidays.festivals(of: year) {
                for (index, day) in festival.statutoryDays.enumerated() {
                    // The eve and 2 May became statutory with the 2024 revision (from 2025).
                    if year < 2025, (festival.name == "春节" && index == 0) || (festival.name == "劳动节" && index == 1) { continue }
                    // A weekend day is off anyway; some files leave it out (Dragon Boat, Saturday 23 June 2012).
                    if day.isWeekend { continue }
                    #expect(announced.contains(day.description), "\(year) \(festival.name): \(day) not announced off")
                }
            }
        }
    }

    @Test("dates through a year without a file skip its statutory holidays and stay provisional", arguments: [
        ("2026-12-31", 1, "2027-01-04"),
        ("2027-06-08", 1, "2027-06-10"),
        ("2027-02-04", 1, "2027-02-11"),
        ("2026-12-31", 5, "2027-01-08"),
    ])
    func provisionalWorkingDays(start: String, n: Int, expected: String) {
        let result = officialCalendar.addingWorkingDays(n, to: d(start))
        #expect(result == Dated(d(expected), provisional: true))
    }

    @Test("counting past year 9999 has no holidays to skip, and does not stop")
    func pastTheLastYear() {
        #expect(StatutoryHolidays.festivals(of: 10_000).isEmpty)
        let result = WorkingCalendar().addingWorkingDays(5, to: d("9999-12-30"))
        #expect(result.provisional)
        #expect(result.date.dayNumber > d("9999-12-31").dayNumber)
    }

    @Test("a year with a file is exactly as announced: 2026 has its make-up Saturdays and no computed day")
    func announcedYearWins() {
        // Sunday 4 January and Saturday 14 February 2026 are announced working days.
        #expect(officialCalendar.isWorkingDay(d("2026-01-04")) == (true, false))
        #expect(officialCalendar.isWorkingDay(d("2026-02-14")) == (true, false))
        // 23 February 2026 is announced off although no statutory rule would make it so.
        #expect(officialCalendar.isWorkingDay(d("2026-02-23")) == (false, false))
    }

    @Test("from 1 November the missing calendar of next year is warned about, in Chinese")
    func missingCalendarWarning() throws {
        #expect(MissingCalendarWarning.due(asOf: d("2026-10-31"), calendar: officialCalendar) == nil)
        let warning = try #require(MissingCalendarWarning.due(asOf: d("2026-11-01"), calendar: officialCalendar))
        #expect(warning.year == 2027)
        #expect(warning.text.contains("Jobs/calendars/2027.toml"))
        #expect(warning.text.contains("国务院办公厅"))
        #expect(warning.text.contains("make_up_workdays"))
        #expect(MissingCalendarWarning.due(asOf: d("2026-12-02"), calendar: officialCalendar)?.year == 2027)
        // 2026 has its file: no warning in November 2025.
        #expect(MissingCalendarWarning.due(asOf: d("2025-11-15"), calendar: officialCalendar) == nil)
    }
}
