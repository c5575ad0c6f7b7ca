public import CertCycleCore

extension NoticeRenderer {
    /// `NOTICES/index.html`: every day's digest, newest first, grouped by month. It is the one
    /// page that is rewritten (after each day), since it only points at the folders.
    public static func indexHTML(bodyName: String, days: [CivilDate]) -> String {
        var page = HTMLPage(capacity: 4096 + days.count * 120)
        page.raw("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>认证待办清单 · ")
        page.text(bodyName)
        page.raw("</title>\n<style>\n\(HTMLPage.css)</style>\n</head>\n<body>\n<header>\n<h1>认证待办清单</h1>\n<p class=\"body-name\">")
        page.text(bodyName)
        page.raw("</p>\n</header>\n")
        let sorted = days.sorted(by: >)
        if let newest = sorted.first {
            page.raw("<p><a href=\"\(newest)/digest.html\">最新：\(chineseDate(newest))（\(chineseWeekday(newest))）</a></p>\n")
        } else {
            page.none()
        }
        var month: (Int, Int)?
        for day in sorted {
            if month.map({ $0 != (day.parts.year, day.parts.month) }) ?? true {
                if month != nil { page.raw("</ul>\n</section>\n") }
                month = (day.parts.year, day.parts.month)
                page.raw("<section>\n<h2>\(day.parts.year)年\(day.parts.month)月</h2>\n<ul class=\"days\">\n")
            }
            page.raw("<li><a href=\"\(day)/digest.html\">\(day)（\(chineseWeekday(day))）</a> · <a href=\"\(day)/obligations.csv\">CSV</a> · <a href=\"\(day)/digest.md\">Markdown</a></li>\n")
        }
        if month != nil { page.raw("</ul>\n</section>\n") }
        page.raw("<footer>由 certcycle 生成</footer>\n</body>\n</html>\n")
        return page.out
    }
}
