import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// What every letter and digest must be, checked over generated registers run for months
/// (RULES §8): read as the quality manager who signs them would.
@Suite("§8: letters and digests over generated registers", .serialized)
struct LetterPropertyTests {
    /// A letter file with the date it is dated (its folder's).
    struct WrittenLetter {
        var path: String
        var date: CivilDate
        var text: String
        /// The certificate (or appeal, application) the file name names second.
        var subject: String { String(path.split(separator: "/").last!.split(separator: "_")[1]) }
        var isSuspensionNotice: Bool { path.hasSuffix("_status-suspended.txt") }
    }

    static func letters(_ fixture: RunFixture) throws -> [WrittenLetter] {
        try fixture.noticeFiles().compactMap { path, data in
            guard path.contains("/letters/"), path.hasSuffix(".txt"), let date = CivilDate(parsing: path.prefix(10)) else { return nil }
            return WrittenLetter(path: path, date: date, text: String(decoding: data, as: UTF8.self))
        } + manualLetters(fixture)
    }

    static func manualLetters(_ fixture: RunFixture) throws -> [WrittenLetter] {
        let root = fixture.noticesRoot + "/manual"
        var result: [WrittenLetter] = []
        for folder in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            guard let date = CivilDate(parsing: folder.prefix(10)) else { continue }
            for file in try NoticeFolderWriter.readFiles(in: root + "/" + folder) where file.path.hasSuffix(".txt") {
                result.append(WrittenLetter(path: "manual/\(folder)/\(file.path)", date: date, text: String(decoding: file.data, as: UTF8.self)))
            }
        }
        return result
    }

    /// Latin letters left once ids, dates, numbers and the standard's code are taken out: an
    /// English word in what organisations or staff read.
    static func englishWords(_ text: String) -> [String] {
        // Appendix A is cited as the Chinese text of the rules does: 附录 A.
        let text = text.replacingOccurrences(of: "附录 A", with: "附录")
        let tokens = text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || "-_./@".contains($0))) }
        return tokens.map(String.init).filter { token in
            token.contains { $0.isLetter } && !token.contains { $0.isNumber } && token != "GB/T" && token != "certcycle"
        }
    }

    /// The text a person sees in the HTML digest: no style, script or tags.
    static func visibleText(_ html: String) -> String {
        var text = html
        for block in ["style", "script"] {
            while let open = text.range(of: "<\(block)"), let close = text.range(of: "</\(block)>", range: open.upperBound..<text.endIndex) {
                text.removeSubrange(open.lowerBound..<close.upperBound)
            }
        }
        let tags = try! NSRegularExpression(pattern: "<[^>]*>|&[a-z#0-9]+;")
        return tags.stringByReplacingMatches(in: text, range: NSRange(location: 0, length: (text as NSString).length), withTemplate: " ")
    }

    /// A seeded generator, so that each seed gives the same dates every time.
    struct SeededDates {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
    }

    /// Cases whose rule dates lie far behind `date`, on certificates active then: a suspension
    /// past its limit, an overdue misuse correction, a corrective action with its own due date,
    /// an extra audit, a pending-licence suspension, an appeal.
    static func addLongOverdueCases(_ fixture: RunFixture, before date: CivilDate) throws {
        var active: [CertificateFile] = []
        try fixture.register.forEachCertificate { file in
            if active.count < 5, shippedJobs.rules.publicState(of: CertificateHistory(file), on: date)?.status == .active { active.append(file) }
        }
        guard active.count == 5 else { return }
        let c = active.map(\.certificate.certNo)
        func d(_ days: Int) -> String { date.addingDays(days).description }
        try fixture.add([
            "suspensions.csv": "suspension_id,cert_no,reason,cause_verified_on,start_on,lifted_on,reduced_scope\nSP-P1,\(c[0]),2,\(d(-215)),\(d(-212)),,\nSP-P2,\(c[1]),5,\(d(-103)),\(d(-100)),,\n",
            "misuse.csv": "case_id,cert_no,requested_on,corrected_on\nMU-P1,\(c[2]),\(d(-95)),\n",
            "nonconformities.csv": "nc_id,cert_no,audit_id,notified_on,due_on,closed_on\nNC-P1,\(c[3]),,\(d(-80)),\(d(-20)),\n",
            "audits.csv": "audit_id,cert_no,kind,onsite_start,onsite_end,score,deductions,decision_date,decided_by,team,man_days,due_on\nAU-P1,\(c[4]),special,,\(d(30)),,,,,,,\(d(-10))\n",
            "appeals.csv": "appeal_id,cert_no,org_id,received_on,replied_on\nAPL-P1,\(c[4]),\(active[4].certificate.orgId),\(d(-70)),\n",
        ])
    }

    @Test("property: over generated registers, first nights, nightly runs, catch-ups and letters on purpose, no letter asks for or announces anything before a date earlier than its own", arguments: [21, 22, 23] as [UInt64])
    func noPastDeadlines(_ seed: UInt64) throws {
        var dates = SeededDates(state: seed)
        let fixture = try RunFixture(certificates: 150, seed: seed, around: "2026-06-30")
        defer { fixture.cleanUp() }
        // A first night somewhere in the year, nights, a catch-up, nights again.
        let adopted = day("2026-01-05").addingDays(dates.next(0...240))
        try Self.addLongOverdueCases(fixture, before: adopted)
        let nightly = fixture.nightly()
        _ = try nightly.run(asOf: adopted)
        // Letters on purpose for backlog stages on the first night: their rule dates are the oldest.
        let scan = RegisterScan(register: fixture.register, rules: shippedJobs.rules)
        var open: [Obligation] = []
        try scan.forEachObligation(on: adopted) { o, _ in open.append(o) }
        // Up to four of each kind and stage, so that every template meets dates long past.
        var issued = 0
        var perKind: [String: Int] = [:]
        for o in open where o.kind != .applicationNotice {
            let group = "\(o.kind)/\(o.stage)"
            let certificate = o.subjectType == .certificate ? o.subject : "-"
            let decision = o.kind == .appealReply ? "经复核，维持原决定。" : nil
            guard perKind[group, default: 0] < 4,
                  (try? nightly.issue(ManualLetter(certificate: certificate, kind: o.kind, subject: o.record ?? o.subject, asOf: adopted,
                                                   decision: decision))) != nil
            else { continue }
            perKind[group, default: 0] += 1
            issued += 1
        }
        try fixture.nightly(from: adopted.addingDays(1).description, through: adopted.addingDays(20).description)
        _ = try nightly.run(asOf: adopted.addingDays(20 + dates.next(10...30)))
        let letters = try Self.letters(fixture)
        #expect(letters.count > 20)
        for group in ["suspensionLimit/overdue", "misuseCorrection/overdue", "correctiveAction/overdue", "surveillance/overdue", "appealReply/overdue"] {
            #expect(perKind[group] != nil, "no letter on purpose for \(group)")
        }
        #expect(issued > 8)
        for letter in letters {
            let past = LetterDates.pastDeadlines(in: letter.text, dated: letter.date)
            #expect(past.isEmpty, "\(letter.path) (dated \(letter.date)) asks for or announces something before \(past)")
            #expect(!letter.text.contains("{{"), "\(letter.path)")
        }
        #expect(try fixture.verify().problems.isEmpty)
    }

    @Test("four months from a register's first night: no past deadline, no threat to a suspended certificate, no English word, a letter for every star removal and scope reduction")
    func fourMonths() throws {
        let fixture = try RunFixture(certificates: 400, seed: 7, around: "2026-06-30")
        defer { fixture.cleanUp() }
        let first = day("2026-03-01"), last = day("2026-06-30")
        let rules = shippedJobs.rules
        // Partial suspensions are rare in generated histories: a few more, of certificates active then.
        var partial = "suspension_id,cert_no,reason,cause_verified_on,start_on,lifted_on,reduced_scope\n"
        var added = 0
        try fixture.register.forEachCertificate { file in
            guard added < 4, rules.publicState(of: CertificateHistory(file), on: day("2026-06-30"))?.status == .active else { return }
            let kept = file.certificate.scope.split(separator: "、").first.map(String.init) ?? file.certificate.scope
            partial += "SP-TEST-\(added),\(file.certificate.certNo),1,2026-04-0\(added + 1),2026-04-1\(added),2026-06-0\(added + 1),\"\(kept)\"\n"
            added += 1
        }
        try fixture.add(["suspensions.csv": partial])
        try fixture.nightly(from: first.description, through: last.description)
        var histories: [String: CertificateHistory] = [:]
        try fixture.register.forEachCertificate { histories[$0.certificate.certNo] = CertificateHistory($0) }

        let letters = try Self.letters(fixture)
        #expect(letters.count > 100)
        var suspendedLetters = 0
        for letter in letters {
            #expect(LetterDates.pastDeadlines(in: letter.text, dated: letter.date).isEmpty, "\(letter.path)")
            #expect(Self.englishWords(letter.text).isEmpty, "\(letter.path): \(Self.englishWords(letter.text))")
            guard let history = histories[letter.subject], !letter.isSuspensionNotice,
                  rules.publicState(of: history, on: letter.date)?.status == .suspended else { continue }
            suspendedLetters += 1
            for threat in ["作出暂停", "暂停贵单位的认证证书", "暂停贵单位认证证书"] {
                #expect(!letter.text.contains(threat), "\(letter.path) threatens a suspended certificate: \(threat)")
            }
        }
        #expect(suspendedLetters > 0, "the register must exercise letters to suspended certificates")

        var starRemovals = 0, scopeReductions = 0
        let files = try fixture.noticeFiles()
        for (certNo, history) in histories.sorted(by: { $0.key < $1.key }) {
            var date = first
            while date <= last {
                if let change = history.change(on: date, settings: rules.settings), change.removesStar || change.scopeReduced {
                    let key = change.removesStar ? "star_removed" : "scope_reduced"
                    if change.removesStar { starRemovals += 1 } else { scopeReductions += 1 }
                    let name = "\(date)/letters/\(history.file.certificate.orgId)_\(certNo)_status-\(key).txt"
                    #expect(files[name] != nil, "no letter \(name)")
                }
                date = date.addingDays(1)
            }
        }
        #expect(starRemovals > 0)
        #expect(scopeReductions > 0)

        for (path, data) in files where path.hasSuffix("/digest.md") || path.hasSuffix("/digest.html") || path.hasSuffix("/obligations.csv") {
            var text = String(decoding: data, as: UTF8.self)
            if path.hasSuffix(".html") { text = Self.visibleText(text) }
            if path.hasSuffix(".md") { text = text.replacingOccurrences(of: #"\]\([^)]*\)"#, with: "]", options: .regularExpression) }
            let words = Self.englishWords(text)
            #expect(words.isEmpty, "\(path): \(Set(words).sorted())")
        }
    }
}
