import PropertyBased
import Testing
@testable import CertCycleCore

@Suite("§1 working days follow the official calendar, make-up days included")
struct WorkingCalendarTests {
    @Test("the n-th working day strictly after a date", arguments: [
        // Friday before the 2026 Spring Festival: Saturday 14 February is a make-up working day.
        ("2026-02-13", 1, "2026-02-14"),
        // From the make-up Saturday, the festival 15–23 February is skipped.
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-13", 5, "2026-02-27"),
        // Saturday 28 February is the second make-up day.
        ("2026-02-27", 1, "2026-02-28"),
        ("2026-02-27", 2, "2026-03-02"),
        // New Year 2026: 1–3 January off, Sunday 4 January worked.
        ("2025-12-31", 1, "2026-01-04"),
        // National Day 2025 (1–8 October off, Saturday 11 October worked).
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-10-10", 1, "2025-10-11"),
        ("2026-03-02", 0, "2026-03-02"),
    ])
    func addWorkingDays(start: String, n: Int, expected: String) {
        let result = officialCalendar.addingWorkingDays(n, to: d(start))
        #expect(result.date == d(expected))
        #expect(!result.provisional)
    }

    @Test("a year without calendar data counts Monday–Friday minus the statutory holidays and marks the result provisional")
    func provisionalYear() {
        // 2026-12-31 is a Thursday; 2027 has no data here; 1 January 2027 (Friday) is statutory.
        let result = officialCalendar.addingWorkingDays(5, to: d("2026-12-31"))
        #expect(result.date == d("2027-01-08"))
        #expect(result.provisional)
        #expect(officialCalendar.isWorkingDay(d("2027-01-01")) == (false, true))
        #expect(officialCalendar.isWorkingDay(d("2027-01-02")) == (false, true))
        #expect(officialCalendar.isWorkingDay(d("2027-01-04")) == (true, true))
    }

    @Test("a result reached without leaving covered years is not provisional even next to a gap")
    func notProvisionalInsideCoveredYears() {
        #expect(!officialCalendar.addingWorkingDays(1, to: d("2026-12-30")).provisional)
    }

    @Test("the result is a working day with exactly n working days after the start")
    func workingDayCount() async {
        let start = d("2025-01-01").dayNumber
        await propertyCheck(count: 500, input: Gen.int(in: 0...700), Gen.int(in: 1...40)) { offset, n in
            let from = CivilDate(dayNumber: start + offset)
            let result = officialCalendar.addingWorkingDays(n, to: from)
            #expect(officialCalendar.isWorkingDay(result.date).isWorkingDay)
            #expect(officialCalendar.workingDays(after: from, through: result.date).value == n)
        }
    }
}
