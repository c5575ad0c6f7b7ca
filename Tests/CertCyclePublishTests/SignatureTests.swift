import CertCycleConfig
import CertCyclePublish
import CertCycleRegister
import CertCycleTestSupport
import Foundation
import Testing

@Suite("Standard Webhooks signatures")
struct SignatureTests {
    @Test("the specification's published example gives its published signature")
    func specificationExample() throws {
        let secret = try #require(StandardWebhooks.Secret(exampleSecret))
        let signature = StandardWebhooks.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                   body: Data(#"{"test": 2432232314}"#.utf8), secrets: [secret])
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let headers = StandardWebhooks.headers(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                               body: Data(#"{"test": 2432232314}"#.utf8), secrets: [secret])
        #expect(headers == ["webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
                            "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="])
    }

    @Test("two secrets (a rotation) give two space-separated signatures, one per secret, in order")
    func twoSecretsTwoSignatures() throws {
        let old = try #require(StandardWebhooks.Secret(exampleSecret))
        let new = try #require(StandardWebhooks.Secret("whsec_" + Data("a second signing key, rotated in".utf8).base64EncodedString()))
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let both = StandardWebhooks.signature(id: "msg_1", timestamp: 1_614_265_330, body: body, secrets: [old, new])
        let parts = both.split(separator: " ").map(String.init)
        #expect(parts.count == 2)
        #expect(parts == [StandardWebhooks.signature(id: "msg_1", timestamp: 1_614_265_330, body: body, secrets: [old]),
                          StandardWebhooks.signature(id: "msg_1", timestamp: 1_614_265_330, body: body, secrets: [new])])
        #expect(parts[0] != parts[1])
        #expect(parts.allSatisfy { $0.hasPrefix("v1,") && Data(base64Encoded: String($0.dropFirst(3)))?.count == 32 })
    }

    @Test("a secret must be whsec_ followed by base64, and never prints itself")
    func secretParsing() {
        #expect(StandardWebhooks.Secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == nil)
        #expect(StandardWebhooks.Secret("whsec_") == nil)
        #expect(StandardWebhooks.Secret("whsec_not base64!") == nil)
        let secret = StandardWebhooks.Secret("  \(exampleSecret)\n")
        #expect(secret != nil)
        #expect("\(secret!)" == "whsec_(redacted)")
        #expect(!String(reflecting: secret!).contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
    }

    @Test("events delivered to /verify are accepted by the independent standardwebhooks library, also during a rotation")
    func referenceLibraryAcceptsDeliveries() throws {
        let receiver = try Receiver(secrets: [exampleSecret])
        defer { receiver.stop() }
        let fixture = try PublishFixture(endpoints: ["directory", "rotating"])
        defer { fixture.cleanUp() }
        let single = try fixture.secretFile("directory.secret", exampleSecret + "\n")
        // During a rotation the file holds the new secret (unknown to this receiver) and the old one.
        let rotating = try fixture.secretFile("rotating.secret", "# new first\nwhsec_" + Data("the new key the receiver does not know yet".utf8).base64EncodedString() + "\n" + exampleSecret + "\n")
        // The receiver checks the timestamp against its own wall clock (5 minutes' tolerance).
        let clock = JumpingClock(start: Date())
        let report = try deliver(publisher(fixture, [endpoint("directory", url: receiver.url("/verify?endpoint=directory"), secretFile: single),
                                                     endpoint("rotating", url: receiver.url("/verify?endpoint=rotating"), secretFile: rotating)],
                                           clock: clock), wait: 0, clock: clock)
        let requests = try receiver.requests()
        let events = try fixture.deliveries("directory").count + fixture.deliveries("rotating").count
        #expect(events > 0)
        #expect(requests.count == events)
        #expect(requests.allSatisfy { $0.status == 204 }, "\(requests.filter { $0.status != 204 }.prefix(3).map { "\($0.status) \($0.headers)" })")
        for request in requests {
            let signatures = request.headers["webhook-signature"]?.split(separator: " ").count
            #expect(signatures == (request.path.hasSuffix("rotating") ? 2 : 1), "\(request.path)")
        }
        #expect(report.delivered == events)
        #expect(report.pending == 0)
    }

    @Test("a delivery signed with another secret is refused by the reference library (401): a dead letter, not retried")
    func wrongSecretIsRefused() throws {
        let receiver = try Receiver(secrets: [exampleSecret])
        defer { receiver.stop() }
        let fixture = try PublishFixture(certificates: 10)
        defer { fixture.cleanUp() }
        let wrong = try fixture.secretFile("wrong.secret", "whsec_" + Data("not the receiver's key".utf8).base64EncodedString())
        let clock = JumpingClock()
        let report = try deliver(publisher(fixture, [endpoint(url: receiver.url("/verify"), secretFile: wrong)], clock: clock),
                                 wait: fiveDays, clock: clock)
        let requests = try receiver.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.status == 401 })
        #expect(report.dead == requests.count)
        let dead = try fixture.register.deliveries(status: .dead, endpoint: "directory", certificate: nil, limit: 10_000)
        #expect(dead.count == requests.count)
        #expect(dead.allSatisfy { $0.0.attempts == 1 && $0.0.lastError == "refused with 401" })
    }
}
