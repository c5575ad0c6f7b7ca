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
        return result.date.description + " provisional (no calendar data for \(missing.map(String.init).joined(separator: ", ")): counted Monday–Friday)"
    }
}
