/// A civil (calendar) date with no time and no time zone: the unit every rule speaks in.
///
/// Stored as a day number (days since 1970-01-01) so that comparison and day arithmetic are
/// integer operations; year, month and day are derived on demand.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public let dayNumber: Int

    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    /// A date from its parts, or nil when they do not name a real day (2025-02-29, month 13…).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.dayNumber = CivilDate.dayNumber(year: year, month: month, day: day)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    // MARK: Parts

    /// Year, month and day (Howard Hinnant's `civil_from_days`).
    public var parts: (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    public var year: Int { parts.year }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let w = (dayNumber + 3) % 7
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = parts
        guard (0...9999).contains(y) else { return Self.pad(y, 4) + "-" + Self.pad(m, 2) + "-" + Self.pad(d, 2) }
        // Ten bytes written in place: an import and a scan spell millions of dates.
        return String(unsafeUninitializedCapacity: 10) { bytes in
            func put(_ value: Int, endingAt end: Int, width: Int) {
                var rest = value
                for i in stride(from: end - 1, through: end - width, by: -1) {
                    bytes[i] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                }
            }
            put(y, endingAt: 4, width: 4)
            bytes[4] = 0x2D
            put(m, endingAt: 7, width: 2)
            bytes[7] = 0x2D
            put(d, endingAt: 10, width: 2)
            return 10
        }
    }

    // MARK: Arithmetic (RULES §1)

    public func addingDays(_ n: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + n) }

    /// Same day of month `n` months later (or earlier), clamped to the last day of the target
    /// month: 2025-08-31 + 6 months = 2026-02-28.
    public func addingMonths(_ n: Int) -> CivilDate {
        let (y, m, d) = parts
        let total = y * 12 + (m - 1) + n
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        let day = min(d, CivilDate.daysInMonth(year: year, month: month))
        return CivilDate(dayNumber: CivilDate.dayNumber(year: year, month: month, day: day))
    }

    /// `addingMonths(12 * n)`: 2024-02-29 + 1 year = 2025-02-28.
    public func addingYears(_ n: Int) -> CivilDate { addingMonths(12 * n) }

    /// Calendar days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDate) -> Int { other.dayNumber - dayNumber }

    // MARK: Helpers

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's `days_from_civil`.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension CivilDate {
    /// Parses the three spellings staff use: `2026-02-28`, `2026/2/28` and `2026年2月28日`.
    /// Returns nil for anything else, including impossible days such as `2025-02-29`.
    public init?(parsing text: some StringProtocol) {
        if let canonical = text.utf8.withContiguousStorageIfAvailable({ CivilDate(iso: $0) }), let canonical {
            self = canonical
            return
        }
        // Split into runs of ASCII digits and the separators between them.
        var groups: [(value: Int, digits: Int)] = []
        var separators = ""
        var value = 0
        var digits = 0
        for scalar in text.unicodeScalars {
            if scalar.isASCII, (48...57).contains(scalar.value) {
                value = value * 10 + Int(scalar.value - 48)
                digits += 1
                if digits > 4 { return nil }
                continue
            }
            if digits > 0 { groups.append((value, digits)) }
            value = 0
            digits = 0
            separators.unicodeScalars.append(scalar)
        }
        if digits > 0 { groups.append((value, digits)) }
        guard groups.count == 3, groups[0].digits == 4 else { return nil }
        switch separators {
        case "--": guard groups[1].digits == 2, groups[2].digits == 2 else { return nil }
        case "//", "年月日": break
        default: return nil
        }
        self.init(year: groups[0].value, month: groups[1].value, day: groups[2].value)
    }

    /// Fast path for the canonical `YYYY-MM-DD` spelling given as UTF-8 bytes (the register's
    /// storage format); nil when the bytes are not exactly that.
    public init?(iso bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func digit(_ i: Int) -> Int? {
            let b = bytes[i]
            return (0x30...0x39).contains(b) ? Int(b - 0x30) : nil
        }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
              let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9)
        else { return nil }
        self.init(year: y0 * 1000 + y1 * 100 + y2 * 10 + y3, month: m0 * 10 + m1, day: d0 * 10 + d1)
    }
}
