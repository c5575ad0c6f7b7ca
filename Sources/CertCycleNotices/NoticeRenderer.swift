public import CertCycleCore
import CertCycleCSV

/// Renders one day's notice files from a `DayNotices`: the staff digest (HTML and Markdown) and
/// `obligations.csv`.
///
/// Pure and deterministic: the same value always gives the same bytes (nothing reads the clock,
/// the environment or the file system), so a notice folder can be compared, hashed and
/// re-rendered. Each file is built in one `String` with its capacity reserved up front, so a
/// digest of 100,000 obligations renders in linear time.
public enum NoticeRenderer {
    /// The forecast page of `date`'s month at the notices root, which each digest links:
    /// `forecast-2026-12.html`.
    public static func forecastFileName(_ date: CivilDate) -> String {
        "forecast-\(ReportMonth(containing: date)).html"
    }

    /// `obligations.csv`: a UTF-8 byte-order mark (so Excel reads the Chinese), the Chinese header
    /// of `ObligationOutput.staffCSVHeader`, then one row per obligation in staff order (overdue first).
    public static func obligationsCSV(_ day: DayNotices) -> String {
        var out = ""
        out.reserveCapacity(256 + day.obligations.count * 260)
        renderCSV(day, into: &out, emit: nil)
        return out
    }

    /// `obligationsCSV` handed to `emit` in pieces as it is rendered (see `digestHTML(_:into:)`).
    public static func obligationsCSV(_ day: DayNotices, into emit: @escaping (String) -> Void) {
        var out = ""
        out.reserveCapacity(TextSpill.threshold + 65_536)
        renderCSV(day, into: &out, emit: emit)
        TextSpill.finish(&out, emit)
    }

    private static func renderCSV(_ day: DayNotices, into out: inout String, emit: ((String) -> Void)?) {
        let order = day.obligations.indices.sorted {
            let a = day.obligations[$0], b = day.obligations[$1]
            if Obligation.staffOrder(a.obligation, b.obligation) { return true }
            if Obligation.staffOrder(b.obligation, a.obligation) { return false }
            return (a.organizationName ?? "", $0) < (b.organizationName ?? "", $1)
        }
        out += "\u{FEFF}"
        out += CSVWriter.line(ObligationOutput.staffCSVHeader)
        for i in order {
            out += CSVWriter.spreadsheetLine(ObligationOutput.staffCSVRow(day.obligations[i], asOf: day.asOf))
            TextSpill.spill(&out, emit)
        }
    }
}

/// Streaming a notice file: the renderers build text in a `String` and, when given somewhere to
/// send it, hand it on whenever it passes `threshold` bytes (between rows, never mid-row).
enum TextSpill {
    static let threshold = 1 << 20

    static func spill(_ out: inout String, _ emit: ((String) -> Void)?) {
        guard let emit, out.utf8.count >= threshold else { return }
        emit(out)
        out.removeAll(keepingCapacity: true)
    }

    static func finish(_ out: inout String, _ emit: ((String) -> Void)?) {
        guard let emit, !out.isEmpty else { return }
        emit(out)
        out.removeAll(keepingCapacity: true)
    }
}

/// What the digest shows, worked out once for both the HTML and the Markdown page: the rows
/// grouped by stage (overdue, due, upcoming) and kind, and the counts of the summary.
struct DigestLayout {
    static let stages: [Stage] = [.overdue, .due, .upcoming]
    static let kinds = ObligationKind.allCases

    let day: DayNotices
    /// `groups[s][k]`: indices into `day.obligations` of stage `stages[s]` and kind `kinds[k]`,
    /// sorted by due date, then subject.
    let groups: [[[Int]]]
    /// The title of each kind: the one the rows carry (from Jobs/), else the built-in name.
    let kindTitles: [String]
    let newCount: Int
    let statusChanges: [StatusChangeRow]
    let findings: [Finding]
    /// Letters by organisation name, then file name.
    let letters: [Letter]

    init(_ day: DayNotices) {
        self.day = day
        var groups = Array(repeating: Array(repeating: [Int](), count: Self.kinds.count), count: Self.stages.count)
        var titles = Self.kinds.map(\.chineseName)
        var titled = Array(repeating: false, count: Self.kinds.count)
        var newCount = 0
        for (i, row) in day.obligations.enumerated() {
            let s = Self.stages.firstIndex(of: row.obligation.stage)!
            let k = Self.kinds.firstIndex(of: row.obligation.kind)!
            groups[s][k].append(i)
            if row.isNewStage { newCount += 1 }
            if !titled[k], !row.title.isEmpty {
                titles[k] = row.title
                titled[k] = true
            }
        }
        let rows = day.obligations
        for s in groups.indices {
            for k in groups[s].indices where groups[s][k].count > 1 {
                groups[s][k].sort { Self.rowOrder(rows[$0], rows[$1]) ?? ($0 < $1) }
            }
        }
        self.groups = groups
        self.kindTitles = titles
        self.newCount = newCount
        self.statusChanges = day.statusChanges.sorted {
            ($0.certificate, $0.change.date.dayNumber) < ($1.certificate, $1.change.date.dayNumber)
        }
        // Compliance warnings first: they are rules broken, data warnings are records to check.
        self.findings = day.findings.enumerated().sorted {
            let a = $0.element, b = $1.element
            if a.kind != b.kind { return Self.findingRank(a.kind) < Self.findingRank(b.kind) }
            return (a.certificate, a.record ?? "", $0.offset) < (b.certificate, b.record ?? "", $1.offset)
        }.map(\.element)
        // Letters by organisation name, so that staff find each organisation's letters together.
        self.letters = day.letters.sorted {
            ($0.organizationName ?? $0.organization, $0.fileName) < ($1.organizationName ?? $1.organization, $1.fileName)
        }
    }

    /// Compliance warnings are rules broken, then follow-ups staff owe, then records to check.
    static func findingRank(_ kind: Finding.Kind) -> Int {
        switch kind {
        case .compliance: 0
        case .followUp: 1
        case .data: 2
        }
    }

    /// Due date, then subject, then the rest, so that the order does not depend on the input's;
    /// nil when the rows are the same for display.
    private static func rowOrder(_ a: DigestRow, _ b: DigestRow) -> Bool? {
        let x = a.obligation, y = b.obligation
        if x.due != y.due { return x.due < y.due }
        if x.subject != y.subject { return x.subject < y.subject }
        if x.record != y.record { return (x.record ?? "") < (y.record ?? "") }
        if x.opens != y.opens { return x.opens < y.opens }
        let p = a.organizationName ?? x.organization ?? "", q = b.organizationName ?? y.organization ?? ""
        if p != q { return p < q }
        return nil
    }

    func count(stage s: Int) -> Int { groups[s].reduce(0) { $0 + $1.count } }
    func count(stage s: Int, kind k: Int) -> Int { groups[s][k].count }
    func count(kind k: Int) -> Int { groups.reduce(0) { $0 + $1[k].count } }
    var complianceCount: Int { findings.count { $0.kind == .compliance } }
    var dataCount: Int { findings.count { $0.kind != .compliance } }
    var backlogCount: Int { day.obligations.count { $0.isBacklog } }

    /// Whether the table of stage `s` and kind `k` has the escalation-deadline column (only
    /// overdue obligations have one) and the man-days column (only surveillance).
    func showsEscalationBy(stage s: Int) -> Bool { Self.stages[s] == .overdue }
    func showsManDays(kind k: Int) -> Bool { Self.kinds[k] == .surveillance }

    var title: String { chineseDate(day.asOf) + " 认证待办清单" }
}

/// The text of a digest cell, shared by the HTML and Markdown pages.
enum DigestText {
    static func organization(_ row: DigestRow) -> String {
        row.organizationName ?? row.obligation.organization ?? ""
    }

    /// `剩 N 天`, `今日到期` or `逾期 N 天`.
    static func remaining(_ o: Obligation, asOf: CivilDate) -> String {
        let days = o.daysRemaining(asOf: asOf)
        if days == 0 { return "今日到期" }
        return days > 0 ? "剩 \(days) 天" : "逾期 \(-days) 天"
    }

    /// The escalation and the clause that requires it (`暂停证书（第 9.3.2.1 条第（4）项）`), or,
    /// once taken, `已暂停，自 2026-05-06` with the step that still applies (RULES §8).
    static func escalation(_ o: Obligation) -> String {
        if let taken = o.escalationTaken {
            var text = "已暂停，自 \(taken)"
            if let next = o.nextStep {
                text += next.escalation == .none
                    ? "；下一步：跟进许可办理情况（\(ClauseCitation.chinese(next.clause))）"
                    : "；下一步：\(next.escalation.chineseName)（\(ClauseCitation.chinese(next.clause))）"
            }
            return text
        }
        guard o.escalation != .none, let clause = o.kind.escalationClause else { return o.escalation.chineseName }
        return "\(o.escalation.chineseName)（\(ClauseCitation.chinese(clause))）"
    }

    /// The escalation as the terminal table shows it: its name, or `已暂停（自 2026-05-06）`.
    static func tableEscalation(_ o: Obligation) -> String {
        if let taken = o.escalationTaken { return "已暂停（自 \(taken)）" }
        return o.escalation.chineseName
    }

    /// The deadline of the escalation still to be taken: the obligation's own, or, once that is
    /// taken, the next step's (`暂停期满 2026-11-06 起`, or its working-day deadline).
    static func escalationBy(_ o: Obligation) -> String {
        if o.escalationTaken != nil {
            guard let next = o.nextStep else { return "" }
            if let by = next.by { return by.date.description + (by.provisional ? "（暂定）" : "") }
            if let from = next.from { return "暂停期满 \(from) 后" }
            return ""
        }
        guard let by = o.escalationBy else { return "" }
        return by.date.description + (by.provisional ? "（暂定）" : "")
    }

    /// The deadline `escalationBy` shows, when it is a date.
    static func escalationDeadline(_ o: Obligation) -> Dated? {
        o.escalationTaken != nil ? o.nextStep?.by : o.escalationBy
    }

    /// True when that deadline has passed on `asOf`: staff are late.
    static func escalationLate(_ o: Obligation, asOf: CivilDate) -> Bool {
        escalationDeadline(o).map { $0.date < asOf } ?? false
    }

    static func manDays(_ o: Obligation) -> String {
        o.manDaysHundredths.map(ManDays.format) ?? ""
    }

    /// `有效 → 暂停`; a change of scope or star grade alone says which (`认证范围缩小`).
    static func statusChange(_ c: PublicChange) -> String {
        let arrow = (c.previousStatus?.chineseName ?? "—") + " → " + c.status.chineseName
        switch c.kind {
        case .scopeChanged: return arrow + "（" + (c.scopeReduced ? "认证范围缩小" : "认证范围恢复") + "）"
        case .starChanged: return arrow + "（" + (c.removesStar ? "撤销五星级" : "五星级变化") + "）"
        case .renewed: return arrow + "（再认证换证）"
        default: return arrow
        }
    }

    static func findingKind(_ f: Finding) -> String {
        switch f.kind {
        case .compliance: "合规提示"
        case .data: "数据提示"
        case .followUp: "跟进提醒"
        }
    }

    static func findingMessage(_ f: Finding) -> String {
        f.message + (f.provisional ? "（暂定：缺少日历数据）" : "")
    }
}
