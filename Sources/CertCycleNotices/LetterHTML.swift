/// The print-ready copy of a letter (`letters/NAME.html`): the same text as the `.txt`, laid out
/// on an A4 page with the letterhead, reference number, title, the addressee's block, the body,
/// and the signature with room for the seal.
///
/// It reads the plain-text layout every shipped template follows: the first line is the body's
/// name, a line with `〔` is the reference number, the next line the title; lines with `：`
/// before the first paragraph are the addressee's block; a line opening with two ideographic
/// spaces is a paragraph; the last two lines are the signature and the date. A template that
/// does not follow it still prints, line by line. Every character of the text is HTML-escaped.
public enum LetterHTML {
    public static func render(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.trimmingSpaces.isEmpty { lines.removeLast() }
        let filled = lines.indices.filter { !lines[$0].trimmingSpaces.isEmpty }
        var page = HTMLPage(capacity: text.utf8.count * 2 + 4096)
        let title = filled.first.map { index in
            filled.first { $0 > index && !lines[$0].contains("〔") }.map { lines[$0] } ?? lines[index]
        } ?? ""
        page.raw("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        page.text(title.trimmingSpaces)
        page.raw("</title>\n<style>\n\(css)</style>\n</head>\n<body>\n<article class=\"letter\">\n")
        let signature = Set(filled.suffix(2))
        var seenTitle = false, seenHead = false, inBody = false
        for index in lines.indices {
            let line = lines[index]
            let bare = line.trimmingSpaces
            if bare.isEmpty { continue }
            if !seenHead {
                seenHead = true
                page.raw("<header class=\"letterhead\">")
                page.text(bare)
                page.raw("</header>\n")
            } else if !seenTitle, bare.contains("〔") {
                page.raw("<p class=\"ref\">")
                page.text(bare)
                page.raw("</p>\n")
            } else if !seenTitle {
                seenTitle = true
                page.raw("<h1>")
                page.text(bare)
                page.raw("</h1>\n")
            } else if signature.contains(index) {
                page.raw(index == filled.last ? "<p class=\"sign date\">" : "<p class=\"sign\">")
                page.text(bare)
                page.raw("</p>\n")
            } else if line.hasPrefix("\u{3000}\u{3000}") {
                inBody = true
                page.raw("<p class=\"para\">")
                page.text(bare)
                page.raw("</p>\n")
            } else {
                page.raw(inBody ? "<p class=\"line\">" : "<p class=\"meta\">")
                page.text(bare)
                page.raw("</p>\n")
            }
        }
        page.raw("</article>\n</body>\n</html>\n")
        return page.out
    }

    static let css = """
    @page { size: A4 portrait; margin: 25mm 26mm 25mm 28mm; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #eceff1; color: #111;
      font: 16px/1.9 "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Noto Sans CJK SC", serif; }
    article.letter { width: 210mm; min-height: 297mm; margin: 12px auto; padding: 25mm 26mm 25mm 28mm; background: #fff;
      box-shadow: 0 1px 4px rgba(0,0,0,.2); }
    .letterhead { text-align: center; color: #b71c1c; font-size: 24px; font-weight: 700; letter-spacing: 0.12em;
      padding-bottom: 6px; border-bottom: 2px solid #b71c1c; }
    .ref { text-align: center; margin: 6px 0 18px; }
    h1 { text-align: center; font-size: 22px; margin: 18px 0 20px; letter-spacing: 0.05em; }
    p { margin: 0; word-break: break-all; }
    .meta { margin: 0 0 2px; }
    .para { text-indent: 2em; margin: 10px 0; text-align: justify; }
    .line { margin: 4px 0; }
    .sign { text-align: right; margin-top: 36px; padding-right: 1em; }
    .sign.date { margin-top: 4px; }
    @media screen and (max-width: 800px) {
      article.letter { width: auto; min-height: 0; margin: 0; padding: 18px 16px; box-shadow: none; }
    }
    @media print {
      body { background: #fff; }
      article.letter { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }

    """
}

extension String {
    /// Without leading and trailing ASCII and ideographic spaces.
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\u{3000}" || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\u{3000}" || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
