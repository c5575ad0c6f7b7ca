import PropertyBased
import Testing
@testable import CertCycleCore

@Suite("§1 dates: months clamp to the month's end, days are calendar days")
struct DateArithmeticTests {
    @Test("addMonths keeps the day and clamps to the last day of the month", arguments: [
        ("2025-08-31", 6, "2026-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2026-12-31", 2, "2027-02-28"),
        ("2025-05-31", 9, "2026-02-28"),
        ("2024-05-31", -3, "2024-02-29"),
        ("2026-11-29", 0, "2026-11-29"),
        ("2000-02-29", 1200, "2100-02-28"),
    ])
    func addMonthsClamps(start: String, months: Int, expected: String) {
        #expect(d(start).addingMonths(months) == d(expected))
    }

    @Test("addYears of a leap day lands on 28 February", arguments: [
        ("2024-02-29", 1, "2025-02-28"), ("2024-02-29", 4, "2028-02-29"), ("2024-02-29", 3, "2027-02-28"),
    ])
    func addYearsLeapDay(start: String, years: Int, expected: String) {
        #expect(d(start).addingYears(years) == d(expected))
    }

    @Test("the three spellings staff use are all read", arguments: [
        "2026-02-14", "2026/2/14", "2026/02/14", "2026年2月14日", "2026年02月14日",
    ])
    func threeSpellings(text: String) {
        #expect(CivilDate(parsing: text) == CivilDate(year: 2026, month: 2, day: 14))
    }

    @Test("impossible or ambiguous dates are refused", arguments: [
        "2025-02-29", "2026-2-14", "2026-13-01", "2026/2/30", "26-02-14", "2026-02-14x", "2026年2月14", "", "2026.02.14", "20260214",
    ])
    func refused(text: String) {
        #expect(CivilDate(parsing: text) == nil)
    }

    @Test("a date is spelt YYYY-MM-DD, zero-padded, from year 1 to 9999", arguments: [
        (1, 1, 1, "0001-01-01"), (999, 12, 31, "0999-12-31"), (2024, 2, 29, "2024-02-29"), (2026, 10, 9, "2026-10-09"), (9999, 12, 31, "9999-12-31"),
    ])
    func spelling(year: Int, month: Int, day: Int, text: String) {
        let date = CivilDate(year: year, month: month, day: day)
        #expect(date?.description == text)
        #expect(CivilDate(parsing: text) == date)
    }

    @Test("weekdays are ISO weekdays", arguments: [
        ("1970-01-01", 4), ("2026-02-14", 6), ("2026-02-28", 6), ("2026-11-29", 7), ("2024-02-29", 4),
    ])
    func weekdays(date: String, weekday: Int) {
        #expect(d(date).isoWeekday == weekday)
    }

    @Test("day numbers and calendar parts round-trip for every date")
    func partsRoundTrip() async {
        await propertyCheck(count: 2000, input: Gen.int(in: -200_000...200_000)) { n in
            let date = CivilDate(dayNumber: n)
            let (y, m, day) = date.parts
            #expect(CivilDate(year: y, month: m, day: day) == date)
            #expect(CivilDate(parsing: date.description) == date)
        }
    }

    @Test("adding months lands in the right month, never after the same day, and exactly there unless clamped")
    func addMonthsProperties() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...40_000), Gen.int(in: -60...60)) { n, months in
            let start = CivilDate(dayNumber: n)
            let result = start.addingMonths(months)
            let (y0, m0, d0) = start.parts
            let (y1, m1, d1) = result.parts
            #expect((y1 * 12 + m1) - (y0 * 12 + m0) == months)
            #expect(d1 <= d0)
            #expect(d1 == d0 || d1 == CivilDate.daysInMonth(year: y1, month: m1))
        }
    }

    @Test("adding days is the inverse of subtracting them")
    func addDaysInverse() async {
        await propertyCheck(count: 1000, input: Gen.int(in: -100_000...100_000), Gen.int(in: -5000...5000)) { n, k in
            let date = CivilDate(dayNumber: n)
            #expect(date.addingDays(k).addingDays(-k) == date)
            #expect(date.days(to: date.addingDays(k)) == k)
        }
    }
}
