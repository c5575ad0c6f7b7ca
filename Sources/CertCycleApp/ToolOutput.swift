public import CertCycleCore
import CertCycleNotices
import CertCycleRegister

/// The output of the small tools: `mandays`, `evaluate`, `calendar add-working-days`.
public enum ToolOutput {
    public static func manDaysText(_ m: ManDays) -> String {
        var rows: [(String, Int)] = [
            ("Appendix A table value", m.tableHundredths),
            ("least after a planned reduction (6.2.3, at most 30%)", m.reductionFloorHundredths),
        ]
        if let share = m.initialShareFloorHundredths, let clause = m.initialShareClause {
            let percent = m.audit == .surveillance ? 30 : 70
            rows.append(("least as a share of the initial audit (\(clause), \(percent)% of \(ManDays.format(m.initialTableHundredths)))", share))
        }
        rows.append(("minimum on-site man-days", m.minimumHundredths))
        rows.append(("required on-site man-days", m.requiredHundredths))
        let width = rows.map(\.0.count).max()! + 2
        var out = "\(m.audit.rawValue) audit, \(m.employees) service-related employees (Appendix A)\n"
        for (label, value) in rows {
            out += label + String(repeating: " ", count: width - label.count) + ManDays.format(value) + "\n"
        }
        return out
    }

    public static func manDaysJSON(_ m: ManDays) -> String {
        var line = JSONLine()
        line.add("audit", m.audit.rawValue)
        line.add("employees", m.employees)
        line.add("table", number: ManDays.format(m.tableHundredths))
        line.add("initial_table", number: ManDays.format(m.initialTableHundredths))
        line.add("reduction_floor", number: ManDays.format(m.reductionFloorHundredths))
        line.add("initial_share_floor", number: m.initialShareFloorHundredths.map(ManDays.format))
        line.add("minimum", number: ManDays.format(m.minimumHundredths))
        line.add("required", number: ManDays.format(m.requiredHundredths))
        line.add("clause", m.initialShareClause ?? "6.2.3")
        return line.string + "\n"
    }

    public static func evaluationText(_ e: AuditEvaluation) -> String {
        let score = CellValue.format(e.score)
        if e.passes {
            return "pass: score \(score) ≥ 70 with \(e.deductions) deduction item(s) (< 5)"
                + (e.recommendsFiveStar ? "; five-star recommended (score ≥ 95)" : "") + " (6.5)\n"
        }
        return "fail: \(e.failureReason!) (6.5)\n"
    }

    public static func evaluationJSON(_ e: AuditEvaluation) -> String {
        var line = JSONLine()
        line.add("score", number: CellValue.format(e.score))
        line.add("deductions", e.deductions)
        line.add("result", e.passes ? "pass" : "fail")
        line.add("five_star", e.recommendsFiveStar)
        line.add("reason", e.failureReason)
        line.add("clause", "6.5")
        return line.string + "\n"
    }

    public static func workingDays(_ result: Dated, from start: CivilDate, calendar: WorkingCalendar) -> String {
        guard result.provisional else { return result.date.description }
        let missing = (start.year...result.date.year).filter { !calendar.coveredYears.contains($0) }
        return result.date.description + " provisional (no calendar data for \(missing.map(String.init).joined(separator: ", ")): counted on the statutory holidays only, RULES §9)"
    }

    /// `calendar status`: the years the calendar files cover, the gaps among them, and the
    /// provisional calendar of the years around `asOf` that have no file.
    public static func calendarStatus(_ calendar: WorkingCalendar, directory: String, asOf: CivilDate) -> String {
        let years = calendar.coveredYears.sorted()
        var out = "calendar files (\(directory)): "
        if years.isEmpty {
            out += "none\n"
        } else {
            var ranges: [String] = []
            var start = years[0], end = years[0]
            for year in years.dropFirst() {
                if year == end + 1 { end = year; continue }
                ranges.append(start == end ? "\(start)" : "\(start)–\(end)")
                (start, end) = (year, year)
            }
            ranges.append(start == end ? "\(start)" : "\(start)–\(end)")
            out += ranges.joined(separator: ", ") + " (\(years.count) files, announced: holidays and make-up working days)\n"
        }
        let shown = (asOf.year...asOf.year + 1).filter { !calendar.coveredYears.contains($0) }
        let gaps = years.isEmpty ? [] : (years[0]...years[years.count - 1]).filter { !calendar.coveredYears.contains($0) }
        out += "provisional: every other year"
        if !gaps.isEmpty { out += " (among them \(gaps.map(String.init).joined(separator: ", ")))" }
        out += ", counted on the statutory holidays of RULES §9 (no make-up working days); dates through them are marked provisional\n"
        for year in shown {
            out += "\(year) provisional days off:\n"
            for festival in StatutoryHolidays.festivals(of: year) {
                var line = "  \(festival.name) " + festival.statutoryDays.map(\.description).joined(separator: " ")
                if !festival.madeUpDays.isEmpty {
                    line += " (made up: " + festival.madeUpDays.map(\.description).joined(separator: " ") + ")"
                }
                out += line + "\n"
            }
        }
        if let warning = MissingCalendarWarning.due(asOf: asOf, calendar: calendar) {
            out += "warning: " + warning.text + "\n"
        }
        return out
    }
}
