import CertCycleCore
import CertCycleNotices
import CertCycleTestSupport
import Foundation
import Testing

/// The print-ready letters and the digest as a browser renders them: headless Chromium
/// (Debian's `chromium`, installed by .ci/run) prints each to PDF and `pdftotext` reads the
/// Chinese text back, so a missing font, a broken page or escaped-away text shows.
@Suite("letters and the digest in a real browser", .serialized)
struct PrintRenderingTests {
    static func letterText() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("Tests/CertCycleNoticesTests/Golden/letters/surveillance-upcoming.txt"), encoding: .utf8)
    }

    /// Prints `html` to PDF with headless Chromium and returns the PDF's text.
    static func printedText(_ html: String, width: Int? = nil) throws -> String {
        let folder = try TemporaryFolder("print")
        defer { folder.cleanUp() }
        let page = folder.path("page.html"), pdf = folder.path("page.pdf")
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        var arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=" + folder.path("profile"),
                         "--print-to-pdf=" + pdf]
        if let width { arguments.append("--window-size=\(width),900") }
        arguments.append("file://" + page)
        #expect(try runTool("/usr/bin/chromium", arguments, timeout: 90) == 0, "chromium could not print the page")
        let text = folder.path("page.txt")
        #expect(try runTool("/usr/bin/pdftotext", ["-layout", pdf, text], timeout: 30) == 0)
        return try String(contentsOfFile: text, encoding: .utf8)
    }

    /// Runs a tool with no output kept; its exit status, or -1 after `timeout` seconds.
    static func runTool(_ path: String, _ arguments: [String], timeout: TimeInterval) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    @Test("the print-ready letter renders on an A4 page with its letterhead, reference number, Chinese body and seal line")
    func letterPrints() throws {
        let text = try Self.printedText(LetterHTML.render(Self.letterText()))
        let flat = text.filter { !$0.isWhitespace }
        for expected in ["杭州中奥质量认证有限公司", "中奥认证函〔2026〕1230-001号", "监督审查通知", "致：杭州恒达<电器>&售后服务有限公司",
                         "本次监督现场审查需2.5个人日", "杭州中奥质量认证有限公司（盖章）", "2026年12月30日"] {
            #expect(flat.contains(expected.filter { !$0.isWhitespace }), "the printed letter lacks \(expected)")
        }
    }

    @Test("the digest renders with its Chinese headings and rows, also 420 px wide")
    func digestPrints() throws {
        for width in [nil, 420] as [Int?] {
            let text = try Self.printedText(NoticeRenderer.digestHTML(NoticeFixtures.day), width: width)
            let flat = text.filter { !$0.isWhitespace }
            for expected in ["2026年12月30日认证待办清单", "已逾期", "监督审查", "不符合项整改", "CAS-2023-000045", "今日状态变化", "今日信函"] {
                #expect(flat.contains(expected), "the printed digest lacks \(expected)")
            }
        }
    }

    @Test("the letter's HTML copy matches its golden file: every line escaped, paragraphs, signature")
    func letterHTMLGolden() throws {
        let html = LetterHTML.render(try Self.letterText())
        let mismatch = goldenMismatch(html, file: "Tests/CertCycleNoticesTests/Golden/letters/surveillance-upcoming.html")
        #expect(mismatch == nil, "\(mismatch ?? "")")
        #expect(html.contains("<p class=\"meta\">致：杭州恒达&lt;电器&gt;&amp;售后服务有限公司</p>"))
        #expect(html.contains("<p class=\"sign\">杭州中奥质量认证有限公司（盖章）</p>"))
        #expect(html.contains("<p class=\"ref\">中奥认证函〔2026〕1230-001号</p>"))
        #expect(!html.contains("<script"))
    }
}
