import CertCycleCore
import CertCycleTestSupport
import Foundation
import Testing
@testable import CertCycleNotices

@Suite("the morning digest: HTML, Markdown and obligations.csv")
struct DigestRenderingTests {
    let day = NoticeFixtures.day

    @Test("digest.html matches its golden file")
    func htmlGolden() {
        let mismatch = goldenMismatch(NoticeRenderer.digestHTML(day), file: "Tests/CertCycleNoticesTests/Golden/digest.html")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test("digest.md matches its golden file")
    func markdownGolden() {
        let mismatch = goldenMismatch(NoticeRenderer.digestMarkdown(day), file: "Tests/CertCycleNoticesTests/Golden/digest.md")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test("obligations.csv matches its golden file")
    func csvGolden() {
        let csv = NoticeRenderer.obligationsCSV(day)
        let file = "Tests/CertCycleNoticesTests/Golden/obligations.csv"
        var mismatch = goldenMismatch(csv, file: file)
        // Reading UTF-8 text drops the byte-order mark, so the file is compared byte for byte.
        if mismatch != nil, (try? Data(contentsOf: packageRoot.appendingPathComponent(file))) == Data(csv.utf8) {
            mismatch = nil
        }
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test("the same notices give the same bytes, whatever order the rows come in")
    func deterministic() {
        var shuffled = day
        shuffled.obligations.reverse()
        shuffled.findings.reverse()
        shuffled.letters.reverse()
        #expect(NoticeRenderer.digestHTML(day) == NoticeRenderer.digestHTML(day))
        #expect(NoticeRenderer.digestMarkdown(day) == NoticeRenderer.digestMarkdown(day))
        #expect(NoticeRenderer.obligationsCSV(day) == NoticeRenderer.obligationsCSV(day))
        #expect(NoticeRenderer.digestHTML(shuffled) == NoticeRenderer.digestHTML(day))
        #expect(NoticeRenderer.digestMarkdown(shuffled) == NoticeRenderer.digestMarkdown(day))
        #expect(NoticeRenderer.obligationsCSV(shuffled) == NoticeRenderer.obligationsCSV(day))
    }

    @Test("every value from the data is HTML-escaped: a <script> in a name stays text")
    func htmlEscaping() {
        var hostile = day
        hostile.bodyName = "<script>alert('body')</script>"
        hostile.obligations[0].organizationName = #"<script>alert("x")</script> & 'co'"#
        hostile.obligations[0].obligation.subject = "CAS<b>"
        hostile.findings[0].message = "<img src=x onerror=alert(1)>"
        hostile.letters[0].fileName = #"a"><script>.txt"#
        let html = NoticeRenderer.digestHTML(hostile)
        // The page's own filter script is the only script; nothing from the data becomes one.
        #expect(html.components(separatedBy: "<script").count - 1 == 1)
        #expect(html.contains("<script>\n" + HTMLPage.filterScript + "</script>"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"))
        #expect(html.contains("&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;"))
        #expect(html.contains(#"href="letters/a&quot;&gt;&lt;script&gt;.txt""#))
    }

    @Test("the page is self-contained: one inline filter script, no external resources, Chinese and UTF-8")
    func selfContained() {
        let html = NoticeRenderer.digestHTML(day)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"zh-CN\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.components(separatedBy: "<script").count - 1 == 1)
        for forbidden in ["<script src", "<link", "src=", "http://", "https://", "@import", "url(", "fetch(", "XMLHttpRequest", "localStorage"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.contains("<h1>2026年12月30日 认证待办清单</h1>"))
        #expect(html.contains("杭州中奥质量认证有限公司"))
    }

    @Test("sections come in the staff's order: overdue, due, upcoming, status changes, warnings, letters")
    func sectionOrder() {
        for text in [NoticeRenderer.digestHTML(day), NoticeRenderer.digestMarkdown(day)] {
            let headings = ["已逾期", "进行中", "即将开始", "今日状态变化", "合规、跟进与数据提示", "今日信函"]
            let positions = headings.map { heading in
                text.range(of: text.hasPrefix("#") ? "## \(heading)" : "<h2>\(heading)")?.lowerBound
            }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        }
    }

    @Test("rows of a kind are sorted by due date, then subject")
    func rowOrder() {
        let html = NoticeRenderer.digestHTML(day)
        let a = html.range(of: "CAS-2025-000010")!.lowerBound
        let b = html.range(of: "CAS-2025-000020")!.lowerBound
        #expect(a < b)
    }

    @Test("the overdue section stands out and says how late, today's due date and new rows are marked")
    func markers() {
        let html = NoticeRenderer.digestHTML(day)
        #expect(html.contains("<section class=\"stage overdue\" id=\"overdue\">"))
        #expect(html.contains("section.overdue { border-left-color: var(--overdue); }"))
        #expect(html.contains(">逾期 29 天<"))
        #expect(html.contains(">今日到期<"))
        #expect(html.contains(">剩 90 天<"))
        #expect(html.contains("今日新增"))
        #expect(html.contains(">2027-01-06（暂定）<"))
        #expect(html.contains(">暂停证书（第 9.3.2.1 条第（4）项）<"))
        // Escalation deadlines already past stand out: 2026-12-08 and 2026-12-17 are before the 30th.
        #expect(html.contains("<td class=\"date past\">2026-12-08（已过）</td>"))
        #expect(html.contains("<td class=\"date past\">2026-12-17（已过）</td>"))
        #expect(html.contains("<tr class=\"compliance\">"))
    }

    @Test("an empty day says 无 in every section")
    func emptyDay() {
        let empty = DayNotices(asOf: NoticeFixtures.asOf, bodyName: "某认证机构", obligations: [], findings: [], statusChanges: [], letters: [])
        let html = NoticeRenderer.digestHTML(empty)
        #expect(html.components(separatedBy: "<p class=\"none\">无</p>").count - 1 == 6)
        let md = NoticeRenderer.digestMarkdown(empty)
        #expect(md.components(separatedBy: "\n无\n").count - 1 == 6)
        #expect(NoticeRenderer.obligationsCSV(empty) == "\u{FEFF}" + CSVLine.header)
    }

    @Test("Markdown cells escape the pipe, so a name cannot break the table")
    func markdownPipe() {
        let md = NoticeRenderer.digestMarkdown(day)
        #expect(md.contains(#"温州\|鹿城_售后\*服务\*中心"#))
        var cell = MarkdownPage(capacity: 0)
        cell.text("_a_b c_ [x](y) <i>\n`z`")
        #expect(cell.out == #"\_a_b c\_ \[x\](y) \<i\> \`z\`"#)
        for line in md.split(separator: "\n") where line.hasPrefix("| APP-2026-0077") {
            #expect(line.replacingOccurrences(of: #"\|"#, with: "").count(where: { $0 == "|" }) == 8)
        }
    }

    @Test("obligations.csv starts with a BOM and a Chinese header, has Chinese values, and lists overdue rows first")
    func csvShape() {
        let csv = NoticeRenderer.obligationsCSV(day)
        #expect(csv.hasPrefix("\u{FEFF}阶段,类型,对象,记录,组织编号,组织名称,开始日期,截止日期,"))
        let lines = csv.dropFirst().split(separator: "\r\n")
        #expect(lines.count == 1 + day.obligations.count)
        #expect(lines[1].hasPrefix("已逾期,监督审查,CAS-2024-000123,,ORG-000123,"))
        #expect(lines[1].contains(",暂停证书（第 9.3.2.1 条第（4）项）,2026-12-08,是,,第 7.1 条,第 9.3.2.1 条第（4）项,否,2.5,否,否"))
        #expect(csv.contains(#""杭州<恒达>&""售后""'服务'有限公司""#))
    }

    @Test("obligations.csv neutralises an organisation name or subject a spreadsheet would run as a formula")
    func csvFormulaInjection() {
        var hostile = day
        hostile.obligations = [
            NoticeFixtures.row("-2+3", .surveillance, .overdue, opens: NoticeFixtures.date(2026, 9, 1), due: NoticeFixtures.date(2026, 12, 1),
                               organization: "@ORG", name: #"=HYPERLINK("http://example.invalid","点击")"#),
        ]
        let csv = NoticeRenderer.obligationsCSV(hostile)
        let row = csv.dropFirst().split(separator: "\r\n")[1]
        #expect(row.hasPrefix(#"已逾期,监督审查,'-2+3,,'@ORG,"'=HYPERLINK(""http://example.invalid"",""点击"")","#))
        #expect(row.contains(",-29,"), "negative day counts stay numbers: \(row)")
    }
}

private enum CSVLine {
    static let header = ObligationOutput.staffCSVHeader.joined(separator: ",") + "\r\n"
}
