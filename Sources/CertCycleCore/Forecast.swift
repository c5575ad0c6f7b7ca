/// The workload forecast (RULES §10): for each of the coming months, the surveillance audits
/// whose window closes in it, the certificates expiring in it, the recertification applications
/// due in it, and the on-site man-days they need (Appendix A with the 30% / 70% rules), assuming
/// nothing else happens. A month's surveillance count is what `scan` shows on its last day.
public struct ForecastMonth: Hashable, Sendable {
    public var year: Int
    public var month: Int
    /// Surveillance obligations (7.1 and 7.2) due in the month, as the month's last day sees them.
    public var surveillance = 0
    public var surveillanceManDaysHundredths = 0
    /// Certificates whose validity ends in the month while still in force (a recertification
    /// audit is needed before then).
    public var expiring = 0
    public var recertificationManDaysHundredths = 0
    /// Recertification applications due in the month and not yet received.
    public var recertificationApplications = 0

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// `2026-04`.
    public var label: String { "\(year)-" + (month < 10 ? "0" : "") + String(month) }
    public var first: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    public var last: CivilDate { CivilDate(year: year, month: month, day: CivilDate.daysInMonth(year: year, month: month))! }
    public var manDaysHundredths: Int { surveillanceManDaysHundredths + recertificationManDaysHundredths }
}

/// Adds certificates one at a time into the months from `asOf`'s month on.
public struct Forecast: Sendable {
    public let rules: CertificationRules
    public private(set) var months: [ForecastMonth]

    public init(rules: CertificationRules, asOf: CivilDate, months count: Int) {
        self.rules = rules
        let (year, month, _) = asOf.parts
        // Never past December 9999, the last month a date can be in.
        let count = min(count, 9999 * 12 + 11 - (year * 12 + month - 1) + 1)
        months = (0..<count).map { i in
            let index = year * 12 + (month - 1) + i
            return ForecastMonth(year: index / 12, month: index % 12 + 1)
        }
    }

    /// Counts one certificate into every month.
    public mutating func add(_ history: CertificateHistory) {
        let employees = history.file.organization?.employees ?? 0
        var expiriesSeen: Set<CivilDate> = []
        for i in months.indices {
            let month = months[i]
            for o in rules.obligations(of: history, on: month.last) where o.due >= month.first && o.due <= month.last {
                switch o.kind {
                case .surveillance:
                    months[i].surveillance += 1
                    months[i].surveillanceManDaysHundredths += o.manDaysHundredths ?? 0
                case .recertificationApplication:
                    months[i].recertificationApplications += 1
                default: break
                }
            }
            // An expiry in the month: on the certificate's last valid day it is still in force and
            // its certificate_expiry obligation is open (scan shows it then, not at the month's end).
            for cycle in history.cycles where cycle.validThrough >= month.first && cycle.validThrough <= month.last {
                guard !expiriesSeen.contains(cycle.validThrough),
                      rules.obligations(of: history, on: cycle.validThrough).contains(where: { $0.kind == .certificateExpiry && $0.due == cycle.validThrough })
                else { continue }
                expiriesSeen.insert(cycle.validThrough)
                months[i].expiring += 1
                if employees >= 1 { months[i].recertificationManDaysHundredths += ManDays(employees: employees, audit: .recertification).requiredHundredths }
            }
        }
    }
}
