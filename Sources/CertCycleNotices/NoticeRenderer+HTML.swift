import CertCycleCore

extension NoticeRenderer {
    /// `digest.html`: the staff's morning list as one self-contained HTML5 page in Chinese
    /// (inline CSS and one small inline script for the filter box, nothing loaded from elsewhere;
    /// readable at 420 px wide; A4 landscape when printed).
    ///
    /// A summary, then the obligations by stage (已逾期, 进行中, 即将开始) and kind, then
    /// today's status changes, compliance and data warnings, and letters. Every value from the
    /// data is HTML-escaped.
    public static func digestHTML(_ day: DayNotices) -> String {
        var page = HTMLPage(capacity: 16_384 + day.obligations.count * 900 + day.findings.count * 400
            + day.statusChanges.count * 400 + day.letters.count * 200)
        render(day, into: &page)
        return page.out
    }

    /// `digestHTML` handed to `emit` in pieces of about a megabyte as it is rendered, so that a
    /// digest of a million obligations is never one string in memory; the pieces joined are
    /// exactly `digestHTML(day)`.
    public static func digestHTML(_ day: DayNotices, into emit: @escaping (String) -> Void) {
        var page = HTMLPage(capacity: TextSpill.threshold + 65_536, emit: emit)
        render(day, into: &page)
        page.finish()
    }

    private static func render(_ day: DayNotices, into page: inout HTMLPage) {
        let layout = DigestLayout(day)
        page.head(layout)
        page.summary(layout)
        page.filter(layout)
        for s in DigestLayout.stages.indices { page.stageSection(layout, stage: s) }
        page.statusChanges(layout)
        page.findings(layout)
        page.letters(layout)
        page.raw("<footer>由 certcycle 生成 · 数据截至 \(day.asOf.description) · <a href=\"../index.html\">全部日期</a>"
            + " · <a href=\"../\(NoticeRenderer.forecastFileName(day.asOf))\">未来 12 个月工作量预测</a>"
            + (day.explanationsComplete ? "" : "<br>点击对象可查看其日期的由来；未加链接的对象请运行 <code>certcycle explain 证书号</code>")
            + "</footer>\n")
        page.raw("<script>\n\(HTMLPage.filterScript)</script>\n</body>\n</html>\n")
    }
}

/// Builds the digest page in one `String`, or, with `emit`, in pieces handed on as they fill.
struct HTMLPage {
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

    /// Appends `s` HTML-escaped (`& < > " '`), fit for text and for quoted attribute values.
    mutating func text(_ s: String) {
        // Most values need no escaping: one scan of the bytes, then a single append.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            out += s
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }

    mutating func cell(_ s: String, _ className: String? = nil) {
        if let className { out += "<td class=\"\(className)\">" } else { out += "<td>" }
        text(s)
        out += "</td>"
    }

    mutating func none() { out += "<p class=\"none\">无</p>\n" }

    mutating func head(_ layout: DigestLayout) {
        let day = layout.day
        raw("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n")
        raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        text(layout.title + " · " + day.bodyName)
        raw("</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n<header>\n<h1>")
        text(layout.title)
        raw("</h1>\n<p class=\"body-name\">")
        text(day.bodyName)
        raw("</p>\n<p class=\"meta\">数据截至 \(day.asOf.description)（\(chineseWeekday(day.asOf))）</p>\n</header>\n")
    }

    mutating func summary(_ layout: DigestLayout) {
        let day = layout.day
        raw("<section class=\"summary\" id=\"summary\">\n<h2>概览</h2>\n<div class=\"cards\">\n")
        let stageClasses = ["overdue", "due", "upcoming"]
        for s in DigestLayout.stages.indices {
            card(DigestLayout.stages[s].chineseName, layout.count(stage: s), stageClasses[s], link: "#" + stageClasses[s])
        }
        card("今日新增", layout.newCount - layout.backlogCount, "new", link: nil)
        if layout.backlogCount > 0 { card("存量（首次运行前已开始）", layout.backlogCount, "plain", link: nil) }
        card("状态变化", day.statusChanges.count, "plain", link: "#changes")
        card("合规提示", layout.complianceCount, layout.complianceCount > 0 ? "warn" : "plain", link: "#findings")
        card("其他提示", layout.dataCount, "plain", link: "#findings")
        card("今日信函", day.letters.count, "plain", link: "#letters")
        raw("</div>\n<table class=\"counts\">\n<thead><tr><th>类型</th><th class=\"num\">已逾期</th><th class=\"num\">进行中</th><th class=\"num\">即将开始</th><th class=\"num\">合计</th></tr></thead>\n<tbody>\n")
        for k in DigestLayout.kinds.indices {
            let total = layout.count(kind: k)
            raw(total == 0 ? "<tr class=\"zero\">" : "<tr>")
            cell(layout.kindTitles[k])
            for s in DigestLayout.stages.indices {
                let n = layout.count(stage: s, kind: k)
                raw(s == 0 && n > 0 ? "<td class=\"num late\">\(n)</td>" : "<td class=\"num\">\(n)</td>")
            }
            raw("<td class=\"num\">\(total)</td></tr>\n")
        }
        raw("</tbody>\n<tfoot><tr><th>合计</th>")
        for s in DigestLayout.stages.indices { raw("<th class=\"num\">\(layout.count(stage: s))</th>") }
        raw("<th class=\"num\">\(day.obligations.count)</th></tr></tfoot>\n</table>\n</section>\n")
    }

    private mutating func card(_ label: String, _ count: Int, _ className: String, link: String?) {
        raw("<div class=\"card \(className)\">")
        if let link { raw("<a href=\"\(link)\">") }
        raw("<span class=\"n\">\(count)</span><span class=\"label\">\(label)</span>")
        if link != nil { raw("</a>") }
        raw("</div>\n")
    }

    /// The filter box: by text (organisation, certificate, record), kind, stage and "new today".
    /// The script only hides rows; without it the page shows everything.
    mutating func filter(_ layout: DigestLayout) {
        raw("<form class=\"filter\" id=\"filter\" onsubmit=\"return false\">\n<input type=\"search\" id=\"f-text\" placeholder=\"搜索组织、证书或记录\" aria-label=\"搜索组织、证书或记录\">\n<select id=\"f-kind\" aria-label=\"类型\"><option value=\"\">全部类型</option>")
        for k in DigestLayout.kinds.indices where layout.count(kind: k) > 0 {
            raw("<option value=\"\(DigestLayout.kinds[k].rawValue)\">")
            text(layout.kindTitles[k])
            raw("</option>")
        }
        raw("</select>\n<select id=\"f-stage\" aria-label=\"阶段\"><option value=\"\">全部阶段</option>")
        for stage in DigestLayout.stages { raw("<option value=\"\(stage.rawValue)\">\(stage.chineseName)</option>") }
        raw("</select>\n<label><input type=\"checkbox\" id=\"f-new\"> 只看今日新增</label>\n<span id=\"f-count\" class=\"muted\"></span>\n</form>\n")
    }

    mutating func stageSection(_ layout: DigestLayout, stage s: Int) {
        let stage = DigestLayout.stages[s]
        let id = stage.rawValue
        raw("<section class=\"stage \(id)\" id=\"\(id)\">\n<h2>\(stage.chineseName)<span class=\"count\">\(layout.count(stage: s))</span></h2>\n")
        guard layout.count(stage: s) > 0 else {
            none()
            raw("</section>\n")
            return
        }
        let asOf = layout.day.asOf
        let rows = layout.day.obligations
        let withEscalationBy = layout.showsEscalationBy(stage: s)
        for k in DigestLayout.kinds.indices where !layout.groups[s][k].isEmpty {
            let group = layout.groups[s][k]
            let withManDays = layout.showsManDays(kind: k)
            raw("<h3>")
            text(layout.kindTitles[k])
            raw("<span class=\"count\">\(group.count)</span></h3>\n<div class=\"scroll\"><table class=\"obligations\">\n<thead><tr><th>对象</th><th>组织</th><th>开始</th><th>截止</th><th>剩余/逾期</th><th>条款</th><th>逾期处理</th>")
            if withEscalationBy { raw("<th>处理期限</th>") }
            if withManDays { raw("<th class=\"num\">人日</th>") }
            raw("</tr></thead>\n<tbody>\n")
            let kind = DigestLayout.kinds[k].rawValue
            for i in group {
                let row = rows[i]
                let o = row.obligation
                let fresh = row.isNewStage && !row.isBacklog
                raw("<tr data-k=\"\(kind)\" data-s=\"\(stage.rawValue)\"")
                raw(fresh ? " class=\"new\"><td>" : row.isBacklog ? " class=\"backlog\"><td>" : "><td>")
                if !layout.day.explanationPages.isEmpty, case let page = ExplanationPage.path(of: o), layout.day.explanationPages.contains(page) {
                    raw("<a href=\"")
                    text(page)
                    raw("\" title=\"日期的由来\">")
                    text(o.subject)
                    raw("</a>")
                } else {
                    text(o.subject)
                }
                if let record = o.record {
                    raw("<span class=\"record\">（")
                    text(record)
                    raw("）</span>")
                }
                if fresh { raw(" <span class=\"badge\">今日新增</span>") }
                if row.isBacklog { raw(" <span class=\"badge old\">存量</span>") }
                raw("</td>")
                cell(DigestText.organization(row))
                cell(o.opens.description, "date")
                cell(o.due.description, "date")
                let days = o.daysRemaining(asOf: asOf)
                cell(DigestText.remaining(o, asOf: asOf), days < 0 ? "days late" : days == 0 ? "days today" : "days")
                cell(ClauseCitation.chinese(o.clause), "clause")
                cell(DigestText.escalation(o), o.escalationTaken != nil ? "taken" : nil)
                if withEscalationBy {
                    let late = DigestText.escalationLate(o, asOf: asOf)
                    let by = DigestText.escalationBy(o)
                    cell(late ? by + "（已过）" : by, late ? "date past" : o.provisional ? "date provisional" : "date")
                }
                if withManDays { cell(DigestText.manDays(o), "num") }
                raw("</tr>\n")
                spill()
            }
            raw("</tbody>\n</table></div>\n")
        }
        raw("</section>\n")
    }

    mutating func statusChanges(_ layout: DigestLayout) {
        raw("<section class=\"changes\" id=\"changes\">\n<h2>今日状态变化<span class=\"count\">\(layout.statusChanges.count)</span></h2>\n")
        if layout.statusChanges.isEmpty {
            none()
        } else {
            raw("<div class=\"scroll\"><table>\n<thead><tr><th>证书</th><th>组织</th><th>状态变化</th><th>生效日期</th><th>星级</th><th>有效期至</th><th>条款</th></tr></thead>\n<tbody>\n")
            for row in layout.statusChanges {
                let c = row.change
                raw("<tr class=\"status-\(c.status.rawValue)\">")
                cell(row.certificate)
                cell(row.organizationName ?? "")
                cell(DigestText.statusChange(c), "status")
                cell(c.date.description, "date")
                cell(c.star.chineseName)
                cell(c.validThrough.description, "date")
                cell(ClauseCitation.chinese(c.clause), "clause")
                raw("</tr>\n")
                spill()
            }
            raw("</tbody>\n</table></div>\n")
        }
        raw("</section>\n")
    }

    mutating func findings(_ layout: DigestLayout) {
        raw("<section class=\"findings\" id=\"findings\">\n<h2>合规、跟进与数据提示<span class=\"count\">\(layout.findings.count)</span></h2>\n")
        if layout.findings.isEmpty {
            none()
        } else {
            raw("<div class=\"scroll\"><table>\n<thead><tr><th>类型</th><th>证书</th><th>记录</th><th>条款</th><th>说明</th></tr></thead>\n<tbody>\n")
            for f in layout.findings {
                raw(f.kind == .compliance ? "<tr class=\"compliance\">" : f.kind == .followUp ? "<tr class=\"follow-up\">" : "<tr class=\"data\">")
                cell(DigestText.findingKind(f), "kind")
                cell(f.certificate)
                cell(f.record ?? "")
                cell(ClauseCitation.chinese(f.clause), "clause")
                cell(DigestText.findingMessage(f))
                raw("</tr>\n")
                spill()
            }
            raw("</tbody>\n</table></div>\n")
        }
        raw("</section>\n")
    }

    mutating func letters(_ layout: DigestLayout) {
        let letters = layout.letters
        raw("<section class=\"letters\" id=\"letters\">\n<h2>今日信函<span class=\"count\">\(letters.count)</span></h2>\n")
        if letters.isEmpty {
            none()
        } else {
            // The 寄送 column only when e-mail is configured, so digests without it stay as they were.
            let delivery = letters.contains { $0.emailed != nil }
            raw("<div class=\"scroll\"><table>\n<thead><tr><th>组织</th><th>文号</th><th>信函</th><th>打印</th>\(delivery ? "<th>寄送</th>" : "")</tr></thead>\n<tbody>\n")
            for letter in letters {
                raw("<tr>")
                cell(letter.organizationName ?? letter.organization)
                cell(letter.reference ?? "", "ref")
                raw("<td><a href=\"letters/")
                text(letter.fileName)
                raw("\">")
                text(letter.fileName)
                raw("</a></td><td><a href=\"letters/")
                text(letter.htmlFileName)
                raw("\">打印版</a></td>")
                if delivery { raw(letter.emailed == false ? "<td class=\"post\"><strong>需邮寄</strong></td>" : "<td>已发邮件</td>") }
                raw("</tr>\n")
                spill()
            }
            raw("</tbody>\n</table></div>\n")
        }
        raw("</section>\n")
    }

    /// Hides the rows the filter box excludes; counts what is left. No network, no storage.
    static let filterScript = """
    (function () {
      var text = document.getElementById('f-text'), kind = document.getElementById('f-kind'),
          stage = document.getElementById('f-stage'), fresh = document.getElementById('f-new'),
          count = document.getElementById('f-count');
      var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-k]'));
      var words = rows.map(function (r) { return r.textContent.toLowerCase(); });
      function apply() {
        var q = text.value.trim().toLowerCase(), k = kind.value, s = stage.value, n = fresh.checked, shown = 0;
        for (var i = 0; i < rows.length; i++) {
          var r = rows[i];
          var ok = (!k || r.getAttribute('data-k') === k) && (!s || r.getAttribute('data-s') === s)
            && (!n || r.classList.contains('new')) && (!q || words[i].indexOf(q) >= 0);
          r.hidden = !ok;
          if (ok) shown++;
        }
        count.textContent = (q || k || s || n) ? '显示 ' + shown + ' / ' + rows.length + ' 项' : '';
      }
      [text, kind, stage, fresh].forEach(function (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); });
    })();

    """

    static let css = """
    @page { size: A4 landscape; margin: 12mm; }
    :root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --head: #f6f8fa;
      --overdue: #c62828; --overdue-bg: #fdecea; --due: #b26a00; --due-bg: #fff4e0;
      --upcoming: #1565c0; --upcoming-bg: #e8f1fb; --new: #2e7d32; --new-bg: #e6f4ea; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 1280px; padding: 24px 28px 40px; color: var(--ink); background: #fff;
      font: 14px/1.55 "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
    header { border-bottom: 2px solid var(--ink); padding-bottom: 8px; margin-bottom: 16px; }
    h1 { font-size: 24px; margin: 0; letter-spacing: 0.02em; }
    .body-name { margin: 2px 0 0; font-size: 16px; }
    .meta { margin: 2px 0 0; color: var(--muted); }
    h2 { font-size: 19px; margin: 0 0 10px; }
    h3 { font-size: 15px; margin: 16px 0 6px; }
    .count { display: inline-block; margin-left: 8px; padding: 0 8px; border-radius: 10px; background: var(--head);
      color: var(--muted); font-size: 13px; font-weight: normal; vertical-align: 2px; }
    section { margin: 0 0 28px; }
    .cards { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 14px; }
    .card { min-width: 104px; padding: 8px 14px; border: 1px solid var(--line); border-radius: 6px; }
    .card a { color: inherit; text-decoration: none; display: block; }
    .card .n { display: block; font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
    .card .label { color: var(--muted); font-size: 13px; }
    .card.overdue { border-left: 5px solid var(--overdue); } .card.overdue .n { color: var(--overdue); }
    .card.due { border-left: 5px solid var(--due); } .card.due .n { color: var(--due); }
    .card.upcoming { border-left: 5px solid var(--upcoming); } .card.upcoming .n { color: var(--upcoming); }
    .card.new .n { color: var(--new); }
    .card.warn { background: var(--due-bg); border-color: var(--due); }
    table { width: 100%; border-collapse: collapse; font-size: 13px; }
    table.counts { width: auto; min-width: 420px; }
    th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
    th { background: var(--head); font-weight: 600; white-space: nowrap; }
    thead { display: table-header-group; }
    tfoot th { border-top: 1px solid var(--muted); }
    tr { break-inside: avoid; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .date, .days, .clause { white-space: nowrap; font-variant-numeric: tabular-nums; }
    tr.zero td { color: #9aa4ae; }
    .late { color: var(--overdue); font-weight: 600; }
    .today { color: var(--due); font-weight: 600; }
    .provisional { color: var(--due); }
    .record { color: var(--muted); }
    .badge { display: inline-block; padding: 0 5px; border-radius: 3px; background: var(--new-bg); color: var(--new);
      font-size: 12px; white-space: nowrap; }
    tr.new td:first-child { box-shadow: inset 3px 0 0 var(--new); }
    section.stage { border-left: 6px solid var(--line); padding-left: 14px; }
    section.overdue { border-left-color: var(--overdue); }
    section.overdue > h2 { color: var(--overdue); }
    section.overdue th { background: var(--overdue-bg); }
    section.due { border-left-color: var(--due); }
    section.upcoming { border-left-color: var(--upcoming); }
    tr.compliance td { background: var(--overdue-bg); }
    tr.follow-up td.kind { color: var(--due); font-weight: 600; }
    .badge.old { background: var(--head); color: var(--muted); }
    tr.backlog td:first-child { box-shadow: inset 3px 0 0 var(--line); }
    td.taken { color: var(--muted); }
    td.past { color: var(--overdue); font-weight: 600; background: var(--overdue-bg); }
    .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; content-visibility: auto; contain-intrinsic-size: auto 600px; }
    form.filter { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px; align-items: center;
      margin: 0 0 18px; padding: 8px 0; background: #fff; border-bottom: 1px solid var(--line); }
    form.filter input[type=search] { flex: 1 1 200px; min-width: 0; padding: 5px 8px; font: inherit; }
    form.filter select { padding: 4px; font: inherit; }
    .muted { color: var(--muted); }
    @media (max-width: 640px) {
      body { padding: 12px 10px 28px; font-size: 13px; }
      h1 { font-size: 20px; }
      .card { min-width: 0; flex: 1 1 40%; padding: 6px 10px; }
      table.counts { min-width: 0; }
      section.stage { padding-left: 8px; border-left-width: 4px; }
      th, td { padding: 3px 5px; }
    }
    tr.compliance td.kind { color: var(--overdue); font-weight: 600; }
    .none { color: var(--muted); margin: 4px 0; }
    a { color: var(--upcoming); }
    footer { margin-top: 32px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      table { font-size: 9pt; }
      h2, h3 { break-after: avoid; }
      a { color: inherit; text-decoration: none; }
      form.filter { display: none; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }

    """
}
