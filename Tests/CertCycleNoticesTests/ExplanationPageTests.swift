import CertCycleCore
import CertCycleNotices
import Foundation
import Testing

@Suite("explanation pages: names and text safe whatever the register holds")
struct ExplanationPageTests {
    static func obligation(_ subject: String, _ type: SubjectType = .certificate, kind: ObligationKind = .surveillance) -> Obligation {
        Obligation(subject: subject, subjectType: type, kind: kind, stage: .due, opens: CivilDate(parsing: "2026-05-01")!,
                   due: CivilDate(parsing: "2026-07-31")!, escalation: .suspend, clause: "9.1.1")
    }

    @Test("a page name keeps only safe characters, and two subjects never share a page", arguments: [
        ("../../etc/passwd", "../../etc_passwd"), ("<script>", "_script_"), ("A/1", "A_1"), ("证书 1", "证书_1"), ("." , "_"),
    ])
    func pageNamesAreSafeAndDistinct(_ pair: (String, String)) {
        let a = ExplanationPage.path(of: Self.obligation(pair.0)), b = ExplanationPage.path(of: Self.obligation(pair.1))
        #expect(a != b)
        for path in [a, b] {
            #expect(path.hasPrefix("explain/cert-") && path.hasSuffix(".html"))
            let name = path.dropFirst("explain/".count)
            #expect(!name.contains("/") && !name.contains("..") && !name.hasPrefix("."))
            #expect(name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) })
            #expect(name.utf8.count < 200)
        }
    }

    @Test("a plain certificate number is its page's name; appeals, applications and the body have their own")
    func pageNamesBySubject() {
        #expect(ExplanationPage.path(of: Self.obligation("CAS-2024-000123")) == "explain/cert-CAS-2024-000123.html")
        #expect(ExplanationPage.path(of: Self.obligation("AP-1", .appeal, kind: .appealReply)) == "explain/appeal-AP-1.html")
        #expect(ExplanationPage.path(of: Self.obligation("APP-1", .application, kind: .applicationNotice)) == "explain/application-APP-1.html")
        #expect(ExplanationPage.path(of: Self.obligation("2026-11", .body, kind: .regulatorReport)) == "explain/regulator_report.html")
        let long = String(repeating: "X", count: 400)
        #expect(ExplanationPage.path(of: Self.obligation(long)).utf8.count < 200)
    }

    @Test("the selection gives one page per subject in the digest's order, up to the limit")
    func selectionFollowsTheDigestOrder() {
        let rows = ["B", "A", "B", "C", "A", "D"].map { DigestRow(obligation: Self.obligation($0), title: "监督审查", organizationName: nil, isNewStage: false) }
        let all = ExplanationPage.selection(rows, limit: 10)
        #expect(all.pages.map(\.row.obligation.subject) == ["B", "A", "C", "D"])
        #expect(all.complete)
        let two = ExplanationPage.selection(rows, limit: 2)
        #expect(two.pages.map(\.row.obligation.subject) == ["B", "A"])
        #expect(!two.complete)
        // Rows of the subjects already chosen do not make it incomplete.
        #expect(ExplanationPage.selection(Array(rows.prefix(3)), limit: 2).complete)
    }

    @Test("every value from the register is HTML-escaped on the page")
    func pageEscapesRegisterValues() {
        var e = Explanation(obligation: Self.obligation("<img src=x onerror=alert(1)>"), records: [], steps: [])
        e.records.append(.init(table: "audits", id: "A-\"1\"", summary: "<b>现场审查</b> & 结束"))
        e.steps.append(.init(text: "基准日 <2026-01-31>", date: nil, clause: "9.1.1"))
        let html = ExplanationPage.html(subject: "证书 <img src=x onerror=alert(1)>", organizationName: "<script>alert('x')</script>",
                                        asOf: CivilDate(parsing: "2026-06-30")!, bodyName: "机构", command: "certcycle explain '<x>'",
                                        [e], titles: { $0.chineseName })
        for hostile in ["<img", "<script", "<b>", "<2026", "A-\"1\""] { #expect(!html.contains(hostile), "\(hostile)") }
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("基准日 &lt;2026-01-31&gt;"))
        #expect(html.contains("（第 9.1.1 条）"))
    }
}
