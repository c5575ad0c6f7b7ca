public import CertCycleCore
import CertCycleCSV

/// `certcycle forecast`: the months as staff read them (table, CSV for Excel, an HTML page with
/// a bar chart) and as tools do (JSONL, INTERFACE.md).
public enum ForecastOutput {
    public static func jsonLine(_ m: ForecastMonth) -> String {
        var line = JSONLine()
        line.add("month", m.label)
        line.add("surveillance", m.surveillance)
        line.add("surveillance_man_days", number: ManDays.format(m.surveillanceManDaysHundredths))
        line.add("expiring", m.expiring)
        line.add("recertification_applications", m.recertificationApplications)
        line.add("man_days", number: ManDays.format(m.manDaysHundredths))
        line.add("recertification_man_days", number: ManDays.format(m.recertificationManDaysHundredths))
        return line.string
    }

    static let header = ["月份", "监督审查（期限在本月）", "监督审查人日", "证书到期", "再认证审查人日", "再认证申请（期限在本月）", "人日合计"]

    static func row(_ m: ForecastMonth) -> [String] {
        [m.label, String(m.surveillance), ManDays.format(m.surveillanceManDaysHundredths), String(m.expiring),
         ManDays.format(m.recertificationManDaysHundredths), String(m.recertificationApplications), ManDays.format(m.manDaysHundredths)]
    }

    public static func table(_ months: [ForecastMonth]) -> String {
        var table = TextTable(header: header)
        for m in months { table.append(row(m)) }
        return table.render()
    }

    /// UTF-8 with BOM, Chinese header, formula-safe cells.
    public static func csv(_ months: [ForecastMonth]) -> String {
        "\u{FEFF}" + CSVWriter.spreadsheetLine(header) + months.map { CSVWriter.spreadsheetLine(row($0)) }.joined()
    }

    /// One self-contained page: the table and an SVG bar chart of man-days per month (surveillance
    /// and recertification stacked), no scripts, nothing loaded from elsewhere.
    public static func html(_ months: [ForecastMonth], bodyName: String, asOf: CivilDate) -> String {
        var page = HTMLPage(capacity: 8192 + months.count * 600)
        let title = "未来 \(months.count) 个月审查工作量预测"
        page.raw("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        page.text(title + " · " + bodyName)
        page.raw("</title>\n<style>\n\(HTMLPage.css)svg text { font-size: 11px; fill: var(--ink); } .bar-s { fill: var(--upcoming); } .bar-r { fill: var(--due); }\n</style>\n</head>\n<body>\n<header>\n<h1>")
        page.text(title)
        page.raw("</h1>\n<p class=\"body-name\">")
        page.text(bodyName)
        page.raw("</p>\n<p class=\"meta\">数据截至 \(asOf)；假定此后不再发生其他事项（监督审查按各月最后一日的待办清单计）</p>\n</header>\n")
        // The chart: one bar per month, man-days stacked.
        let width = 60 + months.count * 56, height = 260, plot = 200
        let top = max(1, months.map(\.manDaysHundredths).max() ?? 1)
        page.raw("<section>\n<h2>人日（监督审查 + 再认证审查）</h2>\n<div class=\"scroll\"><svg role=\"img\" aria-label=\"每月审查人日\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n")
        for (i, m) in months.enumerated() {
            let x = 50 + i * 56
            let s = plot * m.surveillanceManDaysHundredths / top, r = plot * m.recertificationManDaysHundredths / top
            page.raw("<rect class=\"bar-s\" x=\"\(x)\" y=\"\(20 + plot - s)\" width=\"40\" height=\"\(s)\"><title>\(m.label) 监督审查 \(ManDays.format(m.surveillanceManDaysHundredths)) 人日</title></rect>\n")
            page.raw("<rect class=\"bar-r\" x=\"\(x)\" y=\"\(20 + plot - s - r)\" width=\"40\" height=\"\(r)\"><title>\(m.label) 再认证审查 \(ManDays.format(m.recertificationManDaysHundredths)) 人日</title></rect>\n")
            page.raw("<text x=\"\(x + 20)\" y=\"\(14 + plot - s - r)\" text-anchor=\"middle\">\(ManDays.format(m.manDaysHundredths))</text>\n")
            page.raw("<text x=\"\(x + 20)\" y=\"\(40 + plot)\" text-anchor=\"middle\">\(m.label)</text>\n")
        }
        page.raw("<line x1=\"45\" y1=\"\(20 + plot)\" x2=\"\(width - 5)\" y2=\"\(20 + plot)\" stroke=\"#59636e\"/>\n</svg></div>\n")
        page.raw("<p class=\"meta\"><svg width=\"12\" height=\"12\"><rect class=\"bar-s\" width=\"12\" height=\"12\"/></svg> 监督审查　<svg width=\"12\" height=\"12\"><rect class=\"bar-r\" width=\"12\" height=\"12\"/></svg> 再认证审查</p>\n</section>\n")
        page.raw("<section>\n<h2>明细</h2>\n<div class=\"scroll\"><table>\n<thead><tr>")
        for (i, name) in header.enumerated() { page.raw(i == 0 ? "<th>" : "<th class=\"num\">"); page.text(name); page.raw("</th>") }
        page.raw("</tr></thead>\n<tbody>\n")
        for m in months {
            page.raw("<tr>")
            for (i, cell) in row(m).enumerated() { page.cell(cell, i == 0 ? "date" : "num") }
            page.raw("</tr>\n")
        }
        page.raw("</tbody>\n</table></div>\n</section>\n<footer>由 certcycle 生成 · 数据截至 \(asOf)</footer>\n</body>\n</html>\n")
        return page.out
    }
}
