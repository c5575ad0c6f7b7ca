/// On-site audit man-days (Appendix A), with the limits of 6.2.3, 7.4 and 8.2.
///
/// Man-days are held in hundredths so that the 30% and 70% shares of half-day table values
/// are exact (0.7 × 1.5 = 1.05).
public enum ManDayAudit: String, CaseIterable, Hashable, Sendable {
    case initial, surveillance, recertification
}

public struct ManDays: Hashable, Sendable {
    public var employees: Int
    public var audit: ManDayAudit
    /// The Appendix A value for this audit.
    public var tableHundredths: Int
    /// The Appendix A value for an initial audit of the same organisation.
    public var initialTableHundredths: Int

    /// Appendix A, for a service-related headcount of at least 1.
    public init(employees: Int, audit: ManDayAudit) {
        precondition(employees >= 1, "Appendix A needs a headcount of at least 1")
        self.employees = employees
        self.audit = audit
        self.tableHundredths = Self.table(employees: employees, audit: audit)
        self.initialTableHundredths = Self.table(employees: employees, audit: .initial)
    }

    /// A planned reduction may not exceed 30% of the table value (6.2.3).
    public var reductionFloorHundredths: Int { tableHundredths * 7 / 10 }

    /// Surveillance at least 30% (7.4), recertification at least 70% (8.2) of the initial
    /// audit's man-days; nil for an initial audit.
    public var initialShareFloorHundredths: Int? {
        switch audit {
        case .initial: nil
        case .surveillance: initialTableHundredths * 3 / 10
        case .recertification: initialTableHundredths * 7 / 10
        }
    }

    /// The clause behind `initialShareFloorHundredths`.
    public var initialShareClause: String? {
        switch audit {
        case .initial: nil
        case .surveillance: "7.4"
        case .recertification: "8.2"
        }
    }

    /// The least on-site time that may be planned: the table value reduced by at most 30%, and
    /// never below the share of the initial audit.
    public var minimumHundredths: Int { max(reductionFloorHundredths, initialShareFloorHundredths ?? 0) }

    /// The man-days a notice states: the table value, raised to the share of the initial audit
    /// where the table is lower (1–20 employees: recertification 2 < 70% × 3 = 2.1).
    public var requiredHundredths: Int { max(tableHundredths, initialShareFloorHundredths ?? 0) }

    // MARK: Appendix A

    /// (upper bound of the band, initial, surveillance, recertification), in hundredths.
    private static let bands: [(upTo: Int, initial: Int, surveillance: Int, recertification: Int)] = [
        (20, 300, 150, 200),
        (50, 400, 150, 300),
        (80, 500, 200, 350),
        (100, 600, 200, 400),
        (200, 700, 250, 500),
        (300, 800, 300, 550),
        (500, 900, 300, 650),
        (1000, 1000, 350, 700),
    ]

    static func table(employees: Int, audit: ManDayAudit) -> Int {
        if let band = bands.first(where: { employees <= $0.upTo }) {
            switch audit {
            case .initial: return band.initial
            case .surveillance: return band.surveillance
            case .recertification: return band.recertification
            }
        }
        // 1001 and more: every further block *started* counts (RULES §5 default reading).
        let over = employees - 1000
        func blocks(_ size: Int) -> Int { (over + size - 1) / size }
        switch audit {
        case .initial: return 1000 + 100 * blocks(600)
        case .surveillance: return 350 + 50 * blocks(900)
        case .recertification: return 700 + 50 * blocks(450)
        }
    }
}

extension ManDays {
    /// Hundredths as a plain decimal: 150 → "1.5", 105 → "1.05", 300 → "3".
    public static func format(_ hundredths: Int) -> String {
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole)." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
