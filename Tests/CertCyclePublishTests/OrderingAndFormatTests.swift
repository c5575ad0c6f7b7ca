import CertCycleConfig
@testable import CertCycleCore
import CertCyclePublish
import CertCycleRegister
import CertCycleTestSupport
import Foundation
import Testing

@Suite("per-certificate order and the CertSearch format")
struct OrderingAndFormatTests {
    /// The certificate an event body is about (either format).
    static func certificate(of body: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        return (object["data"] as? [String: Any])?["certificate"] as? String ?? object["certificate_number"] as? String
    }

    @Test("a certificate's later event is never received before the earlier one was accepted")
    func perCertificateOrder() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        // More certificates and days: enough certificates with several events.
        let fixture = try PublishFixture(certificates: 120, seed: 7)
        defer { fixture.cleanUp() }
        let secret = try fixture.secretFile("directory.secret", exampleSecret)
        let clock = JumpingClock()
        // The first event of each certificate fails three times (500) before it is accepted.
        let report = try deliver(publisher(fixture, [endpoint(url: receiver.url("/first-fails/3"), secretFile: secret)], clock: clock),
                                 wait: fiveDays, clock: clock)
        #expect(report.pending == 0 && report.dead == 0)
        let deliveries = try fixture.deliveries("directory")
        #expect(deliveries.allSatisfy { $0.0.status == .delivered })
        let requests = try receiver.requests()

        // The outbox's order of each certificate's events (creation order).
        var expected: [String: [String]] = [:]
        for (delivery, event) in deliveries.sorted(by: { $0.0.seq < $1.0.seq }) { expected[delivery.certificate, default: []].append(event.id) }
        let several = expected.filter { $0.value.count > 1 }
        #expect(several.count >= 3, "the fixture should give certificates with several events; it gave \(several.count)")

        var accepted: Set<String> = []
        var acceptedOrder: [String: [String]] = [:]
        for (index, request) in requests.enumerated() {
            guard let id = request.webhookID, let certificate = Self.certificate(of: request.body), let order = expected[certificate],
                  let position = order.firstIndex(of: id)
            else {
                Issue.record("request \(index) is not an event of the outbox: \(request.path) \(request.webhookID ?? "no id")")
                continue
            }
            if position > 0 {
                #expect(accepted.contains(order[position - 1]),
                        "\(certificate): \(id) (event \(position + 1)) received before \(order[position - 1]) was accepted")
            }
            if request.accepted, !accepted.contains(id) {
                accepted.insert(id)
                acceptedOrder[certificate, default: []].append(id)
            }
        }
        #expect(acceptedOrder == expected)
        // The first event of each certificate was retried: four requests, three of them refused.
        for (_, order) in expected {
            #expect(requests.filter { $0.webhookID == order[0] }.map(\.status) == [500, 500, 500, 200])
        }
    }

    @Test("CertSearch format: the upload-cert fields, the API key in x-http-authorization, no signature")
    func certSearchFormat() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let fixture = try PublishFixture(endpoints: ["certsearch"], certificates: 60)
        defer { fixture.cleanUp() }
        let apiKey = "cs-key-7Hq2xLm9Vd"
        let keyFile = try fixture.secretFile("certsearch.key", apiKey + "\n")
        let clock = JumpingClock()
        let report = try deliver(publisher(fixture, [endpoint("certsearch", url: receiver.url("/ok"), secretFile: keyFile, format: .certsearch)], clock: clock),
                                 wait: 60, clock: clock)
        let deliveries = try fixture.deliveries("certsearch")
        #expect(report.delivered == deliveries.count)
        let requests = try receiver.requests()
        #expect(requests.count == deliveries.count)
        let events = Dictionary(uniqueKeysWithValues: deliveries.map { ($0.1.id, $0.1) })
        var statuses: Set<String> = []
        let yyyymmdd = /^[0-9]{8}$/
        for request in requests {
            #expect(request.headers["x-http-authorization"] == apiKey)
            #expect(request.headers["webhook-signature"] == nil)
            #expect(request.headers["content-type"] == "application/json")
            let event = try #require(request.webhookID.flatMap { events[$0] })
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
            let standard = try #require(try JSONSerialization.jsonObject(with: Data(event.body.utf8)) as? [String: Any])
            let data = try #require(standard["data"] as? [String: Any])

            #expect(body["certificate_number"] as? String == data["certificate"] as? String)
            let status = try #require(body["certification_status"] as? String)
            #expect(["active", "suspended", "withdrawn", "expired"].contains(status))
            #expect(status == data["status"] as? String)
            statuses.insert(status)
            let issued = try #require(body["certification_issue_date"] as? String)
            let expiry = try #require(body["certification_expiry_date"] as? String)
            #expect(issued.wholeMatch(of: yyyymmdd) != nil, "\(issued)")
            #expect(expiry.wholeMatch(of: yyyymmdd) != nil, "\(expiry)")
            #expect(expiry == (data["valid_through"] as? String)?.replacingOccurrences(of: "-", with: ""))
            #expect(issued == (data["issued_on"] as? String)?.replacingOccurrences(of: "-", with: ""))
            #expect(issued < expiry)
            #expect((body["certified_entity_name"] as? String)?.isEmpty == false)
            #expect(body["certified_entity_name"] as? String == data["organization"] as? String)
            #expect(body["certification_scope"] as? String == data["scope"] as? String)
            let sites = try #require(body["certified_entity_sites"] as? [[String: Any]])
            #expect(sites.compactMap { $0["address"] as? String } == (data["service_sites"] as? [String] ?? []))
            #expect(sites.allSatisfy { $0.keys.sorted() == ["address"] })
        }
        #expect(statuses.count >= 2, "only \(statuses) among \(requests.count) events")
    }

    @Test("9.3.2.3: a suspension's event carries its start and period; a pending licence's has no end")
    func suspensionPeriod() throws {
        let certificate = Certificate(certNo: "CAS-1", orgId: "ORG-1", scope: "家用电器的维修服务")
        let start = CivilDate(year: 2026, month: 12, day: 2)!
        let change = PublicChange(date: start, status: .suspended, previousStatus: .active, scope: certificate.scope, star: .none,
                                  validThrough: CivilDate(year: 2027, month: 6, day: 30)!, clause: "9.3.2.1(4)")
        func body(reason: Int) -> String {
            let suspension = Suspension(id: "S-1", certNo: "CAS-1", reason: reason, startOn: start)
            return CertificateEvents.event(for: change, certificate: certificate, organization: nil, issuedOn: start, foundAt: Date(timeIntervalSince1970: 0),
                                           suspension: suspension).body
        }
        // Civil Code: from 2026-12-02, six months end on 2027-06-02.
        #expect(body(reason: 4).contains(#""suspended_from":"2026-12-02","suspended_until":"2027-06-02"}"#))
        #expect(body(reason: 5).contains(#""suspended_from":"2026-12-02","suspended_until":null}"#))
    }
}
