import CertCycleConfig
import CertCycleCore
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// The nightly run queues the day's e-mail in the outbox, in the day's transaction, on both stores.
@Suite("e-mail queued by the nightly run", .serialized)
struct MailQueueTests {
    static let settings: MailSettings = {
        var settings = MailSettings(url: "smtps://smtp.example.cn", from: MailMailbox(name: "认证中心", address: MailAddress("cert@example.cn")!))
        settings.staff = [MailAddress("qa@example.cn")!, MailAddress("lead@example.cn")!]
        return settings
    }()

    /// The outbox's mail: event type, recipient and message by Message-ID.
    static func queued(_ register: any Register) throws -> [String: (type: String, to: String, message: String)] {
        var result: [String: (String, String, String)] = [:]
        for (delivery, event) in try register.deliveries(status: nil, endpoint: "mail", certificate: nil, limit: 1_000_000) {
            #expect(delivery.status == .pending && delivery.attempts == 0)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(event.body.utf8)) as? [String: String])
            result[event.id] = (event.type, body["to"] ?? "", body["message"] ?? "")
        }
        return result
    }

    @Test("one message per letter with an address and one digest per staff address, queued with the day; the others are 需邮寄", arguments: StoreKind.all)
    func queuedWithTheDay(_ kind: StoreKind) throws {
        let fixture = try RunFixture(certificates: 200, store: kind)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-06-29"))
        #expect(try Self.queued(fixture.register).isEmpty, "mail was queued without [mail]")
        var nightly = fixture.nightly()
        nightly.mail = Self.settings
        let report = try nightly.run(asOf: day("2026-06-30"))
        let queued = try Self.queued(fixture.register)
        #expect(report.days[0].mailQueued == queued.count)
        let digest = try String(contentsOfFile: fixture.noticesRoot + "/2026-06-30/digest.md", encoding: .utf8)
        let toPost = digest.components(separatedBy: "**需邮寄**").count - 1
        let emailed = digest.components(separatedBy: "| 已发邮件 |").count - 1
        #expect(report.days[0].letters > 0 && emailed + toPost == report.days[0].letters)
        #expect(queued.values.count { $0.type == "mail.letter" } == emailed)
        #expect(Set(queued.values.filter { $0.type == "mail.digest" }.map(\.to)) == ["qa@example.cn", "lead@example.cn"])
        for (id, mail) in queued {
            #expect(mail.message.contains("\r\nMessage-ID: <\(id)>\r\n"))
            #expect(mail.message.contains("\r\n <\(mail.to)>\r\n") || mail.message.contains("\r\nTo: \(mail.to)\r\n"))
        }
        // Mail can be claimed for sending on this store too.
        let claimed = try fixture.register.claimDueDeliveries(endpoint: "mail", now: Date().timeIntervalSince1970 + 10, claimUntil: Date().timeIntervalSince1970 + 600, limit: 10_000)
        #expect(claimed.count == queued.count)
    }

    @Test("a run over the same register twice gives the same Message-IDs (they come from the ledger records); a dry run queues nothing")
    func stableIDs() throws {
        var ids: [Set<String>] = []
        for _ in 0..<2 {
            let fixture = try RunFixture(certificates: 120)
            defer { fixture.cleanUp() }
            _ = try fixture.nightly().run(asOf: day("2026-06-28"))
            var nightly = fixture.nightly()
            nightly.mail = Self.settings
            _ = try nightly.run(asOf: day("2026-06-30"), dryRun: true)
            #expect(try Self.queued(fixture.register).isEmpty)
            _ = try nightly.run(asOf: day("2026-06-30"))
            ids.append(Set(try Self.queued(fixture.register).keys))
        }
        #expect(!ids[0].isEmpty && ids[0] == ids[1])
    }
}
