import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleTestSupport
import Foundation
import Testing

/// RULES §10 / issue 14: the digest links each row to a static page saying why it is due.
@Suite("explanation pages: the digest links each row to why it is due")
struct ExplanationPagesTests {
    /// The second night: the body's report on June has opened.
    static let date = "2026-07-01"

    /// The `href`s of `explain/…` in `html`.
    static func links(_ html: String) -> [String] {
        html.components(separatedBy: "<a href=\"explain/").dropFirst().map { "explain/" + $0.prefix { $0 != "\"" } }
    }

    static func text(_ files: [String: Data], _ path: String) throws -> String {
        String(decoding: try #require(files[path], "no \(path)"), as: UTF8.self)
    }

    /// A step's text as the page writes it (HTML-escaped).
    static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    @Test("every digest row links its subject's page, which gives every step `certcycle explain` gives; the pages are in the manifest and verified")
    func everyRowLinksItsExplanation() throws {
        let fixture = try RunFixture(certificates: 150)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-06-30"))
        let run = try fixture.nightly().run(asOf: day(Self.date))
        let files = try fixture.noticeFiles()
        let digest = try Self.text(files, Self.date + "/digest.html")
        let rows = digest.components(separatedBy: "<tr data-k=").dropFirst()
        #expect(rows.count == run.days[0].obligations)
        #expect(rows.allSatisfy { $0.contains("><td><a href=\"explain/") }, "a row without its page")
        #expect(!digest.contains("未加链接的对象"))

        let pages = Set(files.keys.filter { $0.hasPrefix(Self.date + "/explain/") })
        let linked = Set(Self.links(digest).map { Self.date + "/" + $0 })
        #expect(linked == pages)
        #expect(pages.contains(Self.date + "/explain/regulator_report.html"))
        #expect(pages.contains { $0.contains("/explain/appeal-") })

        // A certificate's page says what the explainer (and so `certcycle explain`) says, step by step.
        let explainer = RegisterExplainer(register: fixture.register, rules: shippedJobs.rules, on: day(Self.date))
        var checked = 0
        for path in pages.sorted() where path.contains("/explain/cert-") {
            let certNo = String(path.dropFirst((Self.date + "/explain/cert-").count).dropLast(".html".count))
            guard let file = try fixture.register.certificateFile(certNo) else { continue }
            let page = try Self.text(files, path)
            let explanations = try explainer.certificate(file)
            #expect(!explanations.isEmpty)
            for e in explanations {
                for step in e.steps { #expect(page.contains(Self.escaped(step.text)), "\(path): \(step.text)") }
                for record in e.records { #expect(page.contains(Self.escaped(record.summary))) }
            }
            #expect(page.contains("certcycle explain \(certNo) --as-of \(Self.date)"))
            #expect(page.contains("<a href=\"../digest.html\">"))
            checked += 1
        }
        #expect(checked > 20)
        #expect(try fixture.verify().problems == [])

        // The manifest hashes them like every other file of the day.
        let manifest = try Self.text(files, Self.date + "/manifest.json")
        #expect(pages.allSatisfy { manifest.contains("\"" + $0.dropFirst(Self.date.count + 1) + "\"") })
    }

    @Test("explanation_pages keeps the pages to the most urgent subjects; the digest says how to ask for the others")
    func pagesLimitedToTheMostUrgent() throws {
        let fixture = try RunFixture(certificates: 150)
        defer { fixture.cleanUp() }
        var jobs = shippedJobs
        jobs.runner.explanationPages = 3
        _ = try fixture.nightly(jobs: jobs).run(asOf: day("2026-06-30"))
        let files = try fixture.noticeFiles()
        let digest = try Self.text(files, "2026-06-30" + "/digest.html")
        #expect(files.keys.count { $0.hasPrefix("2026-06-30" + "/explain/") } == 3)
        #expect(Set(Self.links(digest)).count == 3)
        #expect(digest.contains("未加链接的对象请运行 <code>certcycle explain 证书号</code>"))
        // The pages go to the first subjects of the digest (overdue first).
        let firstRow = try #require(digest.components(separatedBy: "<tr data-k=").dropFirst().first)
        #expect(firstRow.contains("<td><a href=\"explain/"))
        #expect(try fixture.verify().problems == [])

        jobs.runner.explanationPages = 0
        _ = try fixture.nightly(jobs: jobs).run(asOf: day("2026-07-01"))
        let next = try fixture.noticeFiles()
        #expect(!next.keys.contains { $0.hasPrefix("2026-07-01/explain/") })
        #expect(Self.links(try Self.text(next, "2026-07-01/digest.html")).isEmpty)
    }
}
