import CertCycleConfig
import CertCyclePublish
import CertCycleRegister
import CertCycleTestSupport
import Foundation
import Testing

/// Receivers that are slow or hostile on purpose, on 127.0.0.1: an endless response body used
/// to be kept whole in memory (877 MB), and a receiver that accepts and never answers made a
/// run take minutes per 16 certificates.
@Suite("slow and hostile receivers", .serialized)
struct SlowReceiverTests {
    @Test("a response body is capped at 64 KiB and the rest is not read: an endless body ends at once with its status")
    func endlessBodyIsCapped() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let started = Date()
        let result = CurlTransport().send(HTTPRequest(url: receiver.url("/endless"), timeout: 30))
        let response = try result.get()
        #expect(response.status == 200)
        #expect(response.body.count == HTTPResponse.maxBodyBytes)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("a small body is kept whole")
    func smallBodyIsKept() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let response = try CurlTransport().send(HTTPRequest(url: receiver.url("/status/503"))).get()
        #expect(response.status == 503)
        #expect(String(decoding: response.body, as: UTF8.self) == "status 503")
    }

    @Test("a receiver that accepts and never answers holds a pass no longer than its budget; what was not sent stays pending, unattempted")
    func budgetBoundsAPass() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let fixture = try PublishFixture(certificates: 40)
        defer { fixture.cleanUp() }
        let secret = try fixture.secretFile("directory.secret", exampleSecret + "\n")
        let before = try fixture.deliveries("directory")
        #expect(before.count > 16, "more deliveries than one round of 16")

        var hanging = Publisher(outbox: fixture.register, endpoints: try PublishingEndpoint.load([endpoint(url: receiver.url("/slow/600"), secretFile: secret)]),
                                logger: quietLogger)
        hanging.budget = 3
        let started = Date()
        let report = try hanging.deliverDue(wait: 0, holder: "test")
        let took = Date().timeIntervalSince(started)
        #expect(took < 15, "the pass took \(took) s with a 3 s budget (the request timeout is 30 s)")
        #expect(report.budgetSpent)
        #expect(report.delivered == 0)
        #expect(report.pending == before.count)
        let after = try fixture.deliveries("directory")
        let attempted = after.filter { $0.0.attempts > 0 }
        #expect(attempted.count <= 16, "only the first round was started")
        #expect(after.count { $0.0.attempts == 0 } >= before.count - 16, "the rest were never sent")

        // Nothing is left claimed: a good receiver gets every event at the next publish.
        let clock = JumpingClock()
        let good = try publisher(fixture, [endpoint(url: receiver.url("/ok"), secretFile: secret)], clock: clock)
        let next = try deliver(good, wait: fiveDays, clock: clock)
        #expect(next.pending == 0 && next.delivered == before.count)
    }

    @Test("run with delivery_budget_seconds against a receiver that never answers ends in time with exit 75, the deliveries pending")
    func runKeepsItsBudget() throws {
        let tmp = try TemporaryFolder("budget")
        defer { tmp.cleanUp() }
        let receiver = try Receiver()
        defer { receiver.stop() }
        let options = try prepareRegister(tmp, certificates: 40, seed: 21)
        try (exampleSecret + "\n").write(toFile: tmp.path("directory.secret"), atomically: true, encoding: .utf8)
        chmod(tmp.path("directory.secret"), 0o600)
        let config = tmp.path("certcycle.toml")
        try writeConfig(config, endpoints: [PublishCommandTests.table(url: receiver.url("/slow/600"), secretFile: "directory.secret")],
                        extra: ["delivery_budget_seconds = 2"])
        let started = Date()
        let run = try runCertcycle(["run", "--as-of", "2026-06-30", "--config", config] + options, in: tmp.path)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(run.status == 75, "\(run.stderr)")
        #expect(run.stdout.contains("delivery_budget_seconds spent"), "\(run.stdout)")
        #expect(run.stderr.contains("`certcycle publish`"))

        try writeConfig(tmp.path("bad.toml"), endpoints: [], extra: ["delivery_budget_seconds = 0"])
        let bad = try runCertcycle(["run", "--as-of", "2026-06-30", "--config", tmp.path("bad.toml")] + options, in: tmp.path)
        #expect(bad.status == 78 && bad.stderr.contains("delivery_budget_seconds"))
    }
}
