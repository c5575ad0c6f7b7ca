public import CertCycleCore

/// The explanation pages of a day's notice folder, `explain/…html`: what `certcycle explain`
/// says about a digest row's subject, as a page the digest links (RULES §10, "why is this due").
///
/// One page per subject: a certificate's lists every obligation of the certificate (and of its
/// appeals and not-acceptable applications), exactly as `certcycle explain CERT` does; an appeal
/// or application of no certificate has its own; the body's monthly reports share one.
public enum ExplanationPage {
    /// The folder inside the day's folder.
    public static let folder = "explain"
    /// The longest file name, in bytes (as letters').
    static let maxBytes = 160

    /// Where `o`'s explanation is: `explain/cert-CERT.html`, `explain/appeal-ID.html`,
    /// `explain/application-ID.html` or `explain/regulator_report.html`. Only `A–Z a–z 0–9 . _ -`
    /// are kept; a subject that needed changing (or cutting) gets a hash of itself, so that two
    /// subjects never share a page.
    public static func path(of o: Obligation) -> String {
        switch o.subjectType {
        case .certificate: path("cert", o.subject)
        case .appeal: path("appeal", o.subject)
        case .application: path("application", o.subject)
        case .body: folder + "/regulator_report.html"
        }
    }

    /// The page of certificate `certNo`.
    public static func certificatePath(_ certNo: String) -> String { path("cert", certNo) }

    static func path(_ prefix: String, _ subject: String) -> String {
        var base = LetterName.sanitize(subject)
        if base != subject || base.utf8.count > maxBytes {
            base = String(base.prefix(maxBytes)) + "_" + LetterName.fnv1a64Hex(subject)
        }
        return folder + "/" + prefix + "-" + base + ".html"
    }

    /// The pages a digest of `rows` (in the digest's order) links: one per subject, for the first
    /// `limit` subjects met, each with the first of its rows. `complete` is false when some row's
    /// subject got no page (the digest then says how to ask `certcycle explain`).
    public static func selection(_ rows: [DigestRow], limit: Int) -> (pages: [(path: String, row: DigestRow)], complete: Bool) {
        var pages: [(path: String, row: DigestRow)] = []
        var seen: Set<String> = []
        for row in rows {
            let path = path(of: row.obligation)
            if seen.contains(path) { continue }
            guard pages.count < limit else { return (pages, false) }
            seen.insert(path)
            pages.append((path, row))
        }
        return (pages, true)
    }

    /// The page: for each obligation its dates, the register rows it comes from and every step of
    /// the computation with its clause. `subject` names what the page is about (e.g.
    /// `证书 CAS-2024-000123`), `organizationName` its holder. Every value from the data is
    /// HTML-escaped; the page links back to the day's digest.
    public static func html(subject: String, organizationName: String?, asOf: CivilDate, bodyName: String, command: String,
                            _ explanations: [Explanation], titles: (ObligationKind) -> String) -> String {
        var page = HTMLPage(capacity: 4096 + explanations.count * 2048)
        page.raw("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        page.text(subject + " 待办事项日期的由来 · " + bodyName)
        page.raw("</title>\n<style>\n\(HTMLPage.css)ol.steps li, ul.records li { margin: 4px 0; } .clause { color: var(--muted); }\n</style>\n</head>\n<body>\n<header>\n<h1>")
        page.text(subject + " 待办事项日期的由来")
        page.raw("</h1>\n<p class=\"body-name\">")
        page.text(organizationName ?? bodyName)
        page.raw("</p>\n<p class=\"meta\">截至 \(asOf)；与命令 <code>")
        page.text(command)
        page.raw("</code> 的结果相同</p>\n</header>\n")
        if explanations.isEmpty { page.none() }
        for (n, e) in explanations.enumerated() {
            let o = e.obligation
            page.raw("<section>\n<h2>\(n + 1). ")
            page.text(titles(o.kind))
            page.raw("<span class=\"clause\">（")
            page.text(ClauseCitation.chinese(o.clause))
            page.raw("）</span></h2>\n<p>")
            page.text("\(o.stage.chineseName)，开始 \(o.opens)，期限 \(o.due)" + (o.record.map { "，记录 \($0)" } ?? ""))
            page.raw("</p>\n<h3>依据的记录</h3>\n<ul class=\"records\">\n")
            for r in e.records {
                page.raw("<li><code>")
                page.text(r.table + " " + r.id)
                page.raw("</code>：")
                page.text(r.summary)
                page.raw("</li>\n")
            }
            page.raw("</ul>\n<h3>计算</h3>\n<ol class=\"steps\">\n")
            for step in e.steps {
                page.raw("<li>")
                page.text(step.text)
                if let clause = step.clause {
                    page.raw("<span class=\"clause\">（")
                    page.text(ClauseCitation.chinese(clause))
                    page.raw("）</span>")
                }
                if step.provisional { page.raw("<span class=\"clause\">（暂定）</span>") }
                page.raw("</li>\n")
            }
            page.raw("</ol>\n</section>\n")
        }
        page.raw("<footer>由 certcycle 生成 · 数据截至 \(asOf) · <a href=\"../digest.html\">返回当日摘要</a></footer>\n</body>\n</html>\n")
        return page.out
    }
}
