import Foundation

/// The statutory public holidays of 《全国年节及纪念日放假办法》 (2024 revision), computed for a
/// year whose State Council announcement is not loaded yet (RULES §9).
///
/// 1 January; Spring Festival eve and the 1st–3rd days of the first lunar month; Qingming (the
/// day of the solar term); 1–2 May; the Dragon Boat Festival (5/5 lunar); the Mid-Autumn
/// Festival (8/15 lunar); 1–3 October. A statutory day on a Saturday or Sunday is made up on the
/// next working day after its holiday block (Article 6). No make-up working days (调休) are
/// assumed: those exist only in an announcement.
///
/// Lunar dates come from Foundation's Chinese calendar; Qingming from the Sun's apparent
/// longitude (Meeus, *Astronomical Algorithms*, ch. 25). Both in Beijing time (UTC+8).
public enum StatutoryHolidays {
    /// One festival of a computed year: its statutory days and the days off that make up for
    /// those falling on a weekend.
    public struct Festival: Hashable, Sendable {
        /// The name the calendar files use (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节).
        public var name: String
        public var statutoryDays: [CivilDate]
        /// Weekdays off after the block, one for each statutory day that fell on a weekend.
        public var madeUpDays: [CivilDate] = []

        public var daysOff: [CivilDate] { statutoryDays + madeUpDays }
    }

    /// The festivals of `year` with their made-up days, in calendar order.
    public static func festivals(of year: Int) -> [Festival] {
        // A year CivilDate cannot name (past 9999, reached only through a far-future --as-of)
        // is counted Monday–Friday.
        guard let newYear = CivilDate(year: year, month: 1, day: 1) else { return [] }
        // "Eve" is the day before 1/1, whether the 12th month has 29 days or 30.
        let springFestival = lunar(month: 1, day: 1, in: year).map { day in (-1...2).map { day.addingDays($0) } }
        var festivals = [
            Festival(name: "元旦", statutoryDays: [newYear]),
            Festival(name: "春节", statutoryDays: springFestival ?? []),
            Festival(name: "清明节", statutoryDays: [qingming(year)]),
            Festival(name: "劳动节", statutoryDays: [CivilDate(year: year, month: 5, day: 1)!, CivilDate(year: year, month: 5, day: 2)!]),
            Festival(name: "端午节", statutoryDays: lunar(month: 5, day: 5, in: year).map { [$0] } ?? []),
            Festival(name: "中秋节", statutoryDays: lunar(month: 8, day: 15, in: year).map { [$0] } ?? []),
            Festival(name: "国庆节", statutoryDays: (1...3).map { CivilDate(year: year, month: 10, day: $0)! }),
        ].filter { !$0.statutoryDays.isEmpty }
        festivals.sort { $0.statutoryDays[0] < $1.statutoryDays[0] }
        // Article 6. A block is a run of days each statutory or a weekend; a festival that shares
        // a block with another (Mid-Autumn on 1 October) makes its days up after the whole block.
        let statutory = Set(festivals.flatMap(\.statutoryDays))
        func isOff(_ day: CivilDate) -> Bool { statutory.contains(day) || day.isWeekend }
        var taken = statutory
        for i in festivals.indices {
            let weekendDays = festivals[i].statutoryDays.filter(\.isWeekend).count
            guard weekendDays > 0 else { continue }
            var day = festivals[i].statutoryDays.max()!
            while isOff(day.addingDays(1)) { day = day.addingDays(1) }
            var made: [CivilDate] = []
            while made.count < weekendDays {
                day = day.addingDays(1)
                if day.isWeekend || taken.contains(day) { continue }
                made.append(day)
                taken.insert(day)
            }
            festivals[i].madeUpDays = made
        }
        return festivals
    }

    /// Every day off of `year` on the provisional calendar (statutory and made-up days).
    public static func daysOff(of year: Int) -> Set<CivilDate> {
        Set(festivals(of: year).flatMap(\.daysOff))
    }

    // MARK: Lunar dates

    /// The Gregorian date in `year` of the given day of a (non-leap) lunar month. Months 1, 5
    /// and 8 fall in January–February, late May–June and September–early October; the whole
    /// year is searched when the window misses (centuries away). Nil when the year has no such
    /// day.
    public static func lunar(month: Int, day: Int, in year: Int) -> CivilDate? {
        let window: (start: CivilDate, days: Int) = switch month {
        case 1: (CivilDate(year: year, month: 1, day: 19)!, 36)
        case 5: (CivilDate(year: year, month: 5, day: 20)!, 45)
        case 8: (CivilDate(year: year, month: 9, day: 1)!, 45)
        default: (CivilDate(year: year, month: 1, day: 1)!, CivilDate.isLeapYear(year) ? 366 : 365)
        }
        func search(_ start: CivilDate, _ days: Int) -> CivilDate? {
            (0..<days).lazy.map { start.addingDays($0) }.first { date in
                let parts = chineseParts(date)
                return parts.month == month && parts.day == day && !parts.isLeapMonth
            }
        }
        return search(window.start, window.days)
            ?? search(CivilDate(year: year, month: 1, day: 1)!, CivilDate.isLeapYear(year) ? 366 : 365)
    }

    /// The lunar month and day of a civil date, in Beijing time.
    public static func chineseParts(_ date: CivilDate) -> (month: Int, day: Int, isLeapMonth: Bool) {
        // Noon in Beijing, so that no time-zone edge can move the day.
        let instant = Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400 + 4 * 3_600)
        let parts = chinese.dateComponents([.month, .day], from: instant)
        return (parts.month!, parts.day!, parts.isLeapMonth ?? false)
    }

    private static let chinese: Calendar = {
        var calendar = Calendar(identifier: .chinese)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)!
        return calendar
    }()

    // MARK: Qingming

    /// The day (Beijing time) on which the Sun's apparent longitude reaches 15°: the solar
    /// term 清明, 4 or 5 April in 1981–2100 (5 or 6 April earlier in the 20th century).
    public static func qingming(_ year: Int) -> CivilDate {
        solarTermDay(longitude: 15, year: year, near: CivilDate(year: year, month: 4, day: 5)!)
    }

    /// The civil day in UTC+8 on which the Sun's apparent longitude reaches `longitude` degrees,
    /// starting the search at `near` (within a few days of it).
    static func solarTermDay(longitude: Double, year: Int, near: CivilDate) -> CivilDate {
        // Julian Ephemeris Day of the guess: JD 2440587.5 is 1970-01-01 0h.
        var jde = Double(near.dayNumber) + 2_440_587.5
        for _ in 0..<20 {
            let error = remainder(longitude - apparentSolarLongitude(jde: jde), 360)
            jde += error * 365.2422 / 360
            if abs(error) < 1e-7 { break }
        }
        let ut = jde - deltaT(year: Double(year)) / 86_400
        let beijing = ut - 2_440_587.5 + 8.0 / 24
        return CivilDate(dayNumber: Int(beijing.rounded(.down)))
    }

    /// The Sun's apparent longitude in degrees (Meeus ch. 25, low accuracy: about 0.01°, some
    /// 15 minutes of time; no Qingming of 1900–2100 lies that close to midnight but 1943 and
    /// 2071, and those agree with the published dates).
    static func apparentSolarLongitude(jde: Double) -> Double {
        let t = (jde - 2_451_545.0) / 36_525
        let l0 = 280.46646 + 36_000.76983 * t + 0.0003032 * t * t
        let m = radians(357.52911 + 35_999.05029 * t - 0.0001537 * t * t)
        let c = (1.914602 - 0.004817 * t - 0.000014 * t * t) * sin(m)
            + (0.019993 - 0.000101 * t) * sin(2 * m)
            + 0.000289 * sin(3 * m)
        let omega = radians(125.04 - 1_934.136 * t)
        let apparent = l0 + c - 0.00569 - 0.00478 * sin(omega)
        let wrapped = apparent.truncatingRemainder(dividingBy: 360)
        return wrapped < 0 ? wrapped + 360 : wrapped
    }

    /// TT − UT in seconds (Espenak and Meeus's polynomials, 1900–2150).
    static func deltaT(year y: Double) -> Double {
        switch y {
        case ..<1920:
            let t = y - 1900
            return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * t * t * t - 0.000197 * t * t * t * t
        case ..<1941:
            let t = y - 1920
            return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * t * t * t
        case ..<1961:
            let t = y - 1950
            return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547
        case ..<1986:
            let t = y - 1975
            return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718
        case ..<2005:
            let t = y - 2000
            return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t + 0.000651814 * t * t * t * t
                + 0.00002373599 * t * t * t * t * t
        case ..<2050:
            let t = y - 2000
            return 62.92 + 0.32217 * t + 0.005589 * t * t
        case ..<2150:
            let u = (y - 1820) / 100
            return -20 + 32 * u * u - 0.5628 * (2150 - y)
        default:
            let u = (y - 1820) / 100
            return -20 + 32 * u * u
        }
    }

    private static func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
}
