import CertCycleCore

extension NoticeRenderer {
    /// `digest.md`: the same content as `digestHTML`, as GitHub-flavoured Markdown tables.
    ///
    /// Cells escape `|` and Markdown's inline marks (`\ * _ [ ] < > ``; `_` only where it could
    /// start or end emphasis), and a line break in a value becomes a space, so that no value can
    /// break a table or turn into a link or markup.
    public static func digestMarkdown(_ day: DayNotices) -> String {
        var md = MarkdownPage(capacity: 8_192 + day.obligations.count * 300 + day.findings.count * 200
            + day.statusChanges.count * 200 + day.letters.count * 150)
        render(day, into: &md)
        return md.out
    }

    /// `digestMarkdown` handed to `emit` in pieces as it is rendered (see `digestHTML(_:into:)`).
    public static func digestMarkdown(_ day: DayNotices, into emit: @escaping (String) -> Void) {
        var md = MarkdownPage(capacity: TextSpill.threshold + 65_536, emit: emit)
        render(day, into: &md)
        md.finish()
    }

    private static func render(_ day: DayNotices, into md: inout MarkdownPage) {
        let layout = DigestLayout(day)
        md.raw("# ")
        md.text(layout.title)
        md.raw("\n\n**")
        md.text(day.bodyName)
        md.raw("** · 数据截至 \(day.asOf.description)（\(chineseWeekday(day.asOf))）\n\n")

        md.raw("## 概览\n\n| 已逾期 | 进行中 | 即将开始 | 今日新增 | 存量 | 状态变化 | 合规提示 | 其他提示 | 今日信函 |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        md.raw("| \(layout.count(stage: 0)) | \(layout.count(stage: 1)) | \(layout.count(stage: 2)) | \(layout.newCount - layout.backlogCount) | \(layout.backlogCount) | \(day.statusChanges.count) | \(layout.complianceCount) | \(layout.dataCount) | \(day.letters.count) |\n\n")
        md.raw("| 类型 | 已逾期 | 进行中 | 即将开始 | 合计 |\n|---|---:|---:|---:|---:|\n")
        for k in DigestLayout.kinds.indices {
            md.raw("| ")
            md.text(layout.kindTitles[k])
            md.raw(" | \(layout.count(stage: 0, kind: k)) | \(layout.count(stage: 1, kind: k)) | \(layout.count(stage: 2, kind: k)) | \(layout.count(kind: k)) |\n")
        }
        md.raw("| **合计** | \(layout.count(stage: 0)) | \(layout.count(stage: 1)) | \(layout.count(stage: 2)) | \(day.obligations.count) |\n\n")

        for s in DigestLayout.stages.indices { md.stage(layout, stage: s) }

        md.raw("## 今日状态变化（\(layout.statusChanges.count)）\n\n")
        if layout.statusChanges.isEmpty {
            md.raw("无\n\n")
        } else {
            md.header(["证书", "组织", "状态变化", "生效日期", "星级", "有效期至", "条款"])
            for row in layout.statusChanges {
                let c = row.change
                md.row([row.certificate, row.organizationName ?? "", DigestText.statusChange(c), c.date.description,
                        c.star.chineseName, c.validThrough.description, ClauseCitation.chinese(c.clause)])
                md.spill()
            }
            md.raw("\n")
        }

        md.raw("## 合规、跟进与数据提示（\(layout.findings.count)）\n\n")
        if layout.findings.isEmpty {
            md.raw("无\n\n")
        } else {
            md.header(["类型", "证书", "记录", "条款", "说明"])
            for f in layout.findings {
                // Compliance warnings are rules broken: bold, so they stand out as in the HTML page.
                md.raw(f.kind == .compliance ? "| **合规提示** | " : "| \(DigestText.findingKind(f)) | ")
                md.cells([f.certificate, f.record ?? "", ClauseCitation.chinese(f.clause), DigestText.findingMessage(f)])
                md.spill()
            }
            md.raw("\n")
        }

        md.raw("## 今日信函（\(day.letters.count)）\n\n")
        if layout.letters.isEmpty {
            md.raw("无\n")
        } else {
            let delivery = layout.letters.contains { $0.emailed != nil }
            md.header(delivery ? ["组织", "文号", "信函", "寄送"] : ["组织", "文号", "信函"])
            for letter in layout.letters {
                md.raw("| ")
                md.text(letter.organizationName ?? letter.organization)
                md.raw(" | ")
                md.text(letter.reference ?? "")
                md.raw(" | [")
                md.text(letter.fileName)
                md.raw("](letters/")
                md.url(letter.fileName)
                md.raw(delivery ? (letter.emailed == false ? ") | **需邮寄** |\n" : ") | 已发邮件 |\n") : ") |\n")
                md.spill()
            }
        }
    }
}

/// Builds the Markdown digest in one `String`, or, with `emit`, in pieces handed on as they fill.
struct MarkdownPage {
    var out = ""
    var emit: ((String) -> Void)?

    init(capacity: Int, emit: ((String) -> Void)? = nil) {
        out.reserveCapacity(capacity)
        self.emit = emit
    }

    mutating func raw(_ s: String) { out += s }

    /// Hands the text so far on once it is large (only when streaming); called between rows.
    mutating func spill() { TextSpill.spill(&out, emit) }

    /// Hands the rest on (only when streaming).
    mutating func finish() { TextSpill.finish(&out, emit) }

    /// Appends `s` as literal text inside a table cell or heading.
    mutating func text(_ s: String) {
        guard s.utf8.contains(where: Self.isSpecial) else {
            out += s
            return
        }
        let scalars = Array(s.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case "\\", "|", "*", "[", "]", "<", ">", "`":
                out += "\\"
                out.unicodeScalars.append(scalar)
            case "_":
                // Inside a word (`ORG_1`, `鹿城_售后`) an underscore cannot start or end emphasis, so
                // it stays as it is; next to a space, a mark or the cell's edge it is escaped.
                let inWord = i > 0 && i + 1 < scalars.count && Self.isWordScalar(scalars[i - 1]) && Self.isWordScalar(scalars[i + 1])
                if !inWord { out += "\\" }
                out.unicodeScalars.append(scalar)
            case "\n", "\r", "\t": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
    }

    /// Appends `s` as a link destination: anything but `A–Z a–z 0–9 . _ - /` is percent-encoded.
    mutating func url(_ s: String) {
        for byte in s.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2E, 0x5F, 0x2D, 0x2F:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x5C, 0x7C, 0x2A, 0x5F, 0x5B, 0x5D, 0x3C, 0x3E, 0x60, 0x0A, 0x0D, 0x09: true
        default: false
        }
    }

    mutating func header(_ names: [String]) {
        raw("| " + names.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: names.count) + "\n")
    }

    mutating func row(_ cells: [String]) {
        raw("| ")
        self.cells(cells)
    }

    /// The rest of a row whose leading `| ` is written: the cells, then the line end.
    mutating func cells(_ cells: [String]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { raw(" | ") }
            text(cell)
        }
        raw(" |\n")
    }

    mutating func stage(_ layout: DigestLayout, stage s: Int) {
        let stage = DigestLayout.stages[s]
        raw("## \(stage.chineseName)（\(layout.count(stage: s))）\n\n")
        guard layout.count(stage: s) > 0 else {
            raw("无\n\n")
            return
        }
        let asOf = layout.day.asOf
        let rows = layout.day.obligations
        let withEscalationBy = layout.showsEscalationBy(stage: s)
        for k in DigestLayout.kinds.indices where !layout.groups[s][k].isEmpty {
            let group = layout.groups[s][k]
            let withManDays = layout.showsManDays(kind: k)
            raw("### ")
            text(layout.kindTitles[k])
            raw("（\(group.count)）\n\n")
            var names = ["对象", "组织", "开始", "截止", "剩余/逾期", "条款", "逾期处理"]
            if withEscalationBy { names.append("处理期限") }
            if withManDays { names.append("人日") }
            header(names)
            for i in group {
                let row = rows[i]
                let o = row.obligation
                raw("| ")
                text(o.subject)
                if let record = o.record {
                    raw("（")
                    text(record)
                    raw("）")
                }
                if row.isNewStage && !row.isBacklog { raw(" **今日新增**") }
                if row.isBacklog { raw(" （存量）") }
                raw(" | ")
                text(DigestText.organization(row))
                raw(" | \(o.opens.description) | \(o.due.description) | ")
                let days = o.daysRemaining(asOf: asOf)
                raw(days < 0 ? "**\(DigestText.remaining(o, asOf: asOf))**" : DigestText.remaining(o, asOf: asOf))
                raw(" | ")
                text(ClauseCitation.chinese(o.clause))
                raw(" | ")
                text(DigestText.escalation(o))
                if withEscalationBy {
                    raw(" | ")
                    if DigestText.escalationLate(o, asOf: asOf) {
                        raw("**")
                        text(DigestText.escalationBy(o) + "（已过）")
                        raw("**")
                    } else {
                        text(DigestText.escalationBy(o))
                    }
                }
                if withManDays { raw(" | " + DigestText.manDays(o)) }
                raw(" |\n")
                spill()
            }
            raw("\n")
        }
    }
}
