import CertCycleConfig
import CertCyclePublish
import CertCycleRegister
import CertCycleTestSupport
import Foundation
import Testing

/// The publisher against a real HTTP server (Tests/Support/webhook_receiver.py) on 127.0.0.1,
/// with the events a real register's nightly run put in the outbox, and a clock that jumps.
@Suite("webhook delivery against a real receiver")
struct DeliveryTests {
    /// A register with real events and a receiver; the endpoint's secret is the specification's example.
    struct Setup {
        let receiver: Receiver
        let fixture: PublishFixture
        let secret: String
        /// Starts after the run that queued the events, so that they are due.
        let clock: JumpingClock

        init(certificates: Int = 40) throws {
            receiver = try Receiver(secrets: [exampleSecret])
            do {
                fixture = try PublishFixture(certificates: certificates)
                secret = try fixture.secretFile("directory.secret", exampleSecret + "\n")
                clock = JumpingClock()
            } catch {
                receiver.stop()
                throw error
            }
        }

        func publisher(_ path: String, transport: any HTTPTransport = CurlTransport(), policy: RetryPolicy = .standard) throws -> Publisher {
            try CertCyclePublishTests.publisher(fixture, [endpoint(url: receiver.url(path), secretFile: secret)], clock: clock,
                                                transport: transport, policy: policy)
        }

        func publisher(url: String, transport: any HTTPTransport = CurlTransport()) throws -> Publisher {
            try CertCyclePublishTests.publisher(fixture, [endpoint(url: url, secretFile: secret)], clock: clock, transport: transport)
        }

        func deliver(_ path: String, wait: Double, transport: any HTTPTransport = CurlTransport()) throws -> PublishReport {
            try CertCyclePublishTests.deliver(publisher(path, transport: transport), wait: wait, clock: clock)
        }

        func deliveries() throws -> [(Delivery, OutboxEvent)] { try fixture.deliveries("directory") }

        func attempts(_ eventId: String) throws -> [DeliveryAttempt] { try fixture.register.attempts(endpoint: "directory", eventId: eventId) }

        /// Every event of the outbox was accepted by the receiver, always under its own id with its own bytes.
        func expectEveryEventAccepted(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let deliveries = try deliveries()
            let requests = try receiver.requests()
            let received = byWebhookID(requests)
            #expect(deliveries.allSatisfy { $0.0.status == .delivered }, "not delivered: \(deliveries.filter { $0.0.status != .delivered }.map(\.1.id).prefix(5))",
                    sourceLocation: sourceLocation)
            for (_, event) in deliveries {
                let mine = received[event.id] ?? []
                #expect(mine.contains { $0.accepted }, "event \(event.id) never accepted", sourceLocation: sourceLocation)
                #expect(mine.allSatisfy { $0.body == event.body }, "event \(event.id) sent with other bytes", sourceLocation: sourceLocation)
            }
            #expect(Set(received.keys) == Set(deliveries.map(\.1.id)), "requests under ids the outbox does not have", sourceLocation: sourceLocation)
        }

        func stop() {
            receiver.stop()
            fixture.cleanUp()
        }
    }

    @Test("every event arrives once, signed, with the outbox's id and bytes")
    func everyEventArrives() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let report = try setup.deliver("/ok", wait: 0)
        let deliveries = try setup.deliveries()
        // A real register: snapshots of every certificate, and real status changes after them.
        #expect(deliveries.contains { $0.1.id.hasPrefix("snap_") })
        #expect(deliveries.contains { $0.1.id.hasPrefix("evt_") })
        let requests = try setup.receiver.requests()
        #expect(requests.count == deliveries.count)
        #expect(report.delivered == deliveries.count)
        #expect(report.pending == 0 && report.retrying == 0 && report.dead == 0)
        try setup.expectEveryEventAccepted()
        for request in requests {
            #expect(request.method == "POST")
            #expect(request.headers["content-type"] == "application/json")
            let id = try #require(request.webhookID)
            let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Int($0) })
            #expect(abs(Double(timestamp) - setup.clock.now().timeIntervalSince1970) < 60)
            let secret = try #require(StandardWebhooks.Secret(exampleSecret))
            #expect(request.headers["webhook-signature"] == StandardWebhooks.signature(id: id, timestamp: timestamp, body: Data(request.body.utf8), secrets: [secret]))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
            let data = try #require(object["data"] as? [String: Any])
            #expect((object["type"] as? String)?.hasPrefix("certificate.") == true)
            for key in ["certificate", "organization", "status", "effective_on", "scope", "star", "valid_through", "clause"] {
                #expect(data[key] != nil, "\(key) missing")
            }
        }
        #expect(deliveries.allSatisfy { $0.0.attempts == 1 && $0.0.deliveredAt != nil && $0.0.lastStatusCode == 200 })
    }

    @Test("500 twice, then success: the same id and bytes on every retry, after 5 s and then 5 min")
    func serverErrorsRetried() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let report = try setup.deliver("/flaky/2", wait: fiveDays)
        #expect(report.pending == 0 && report.dead == 0)
        try setup.expectEveryEventAccepted()
        let received = byWebhookID(try setup.receiver.requests())
        for (delivery, event) in try setup.deliveries() {
            #expect(received[event.id]?.map(\.status) == [500, 500, 200], "\(event.id)")
            #expect(delivery.attempts == 3)
            let attempts = try setup.attempts(event.id)
            #expect(attempts.map(\.statusCode) == [500, 500, 200])
            if attempts.count == 3 {
                let first = attempts[1].at - attempts[0].at
                let second = attempts[2].at - attempts[1].at
                #expect(first >= 4.5 && first <= 5.5 + 1, "retry after \(first) s")
                #expect(second >= 270 && second <= 330 + 1, "retry after \(second) s")
            }
        }
    }

    @Test("429 with Retry-After: the next attempt is never sooner than the receiver asked")
    func retryAfterHonoured() throws {
        let setup = try Setup(certificates: 15)
        defer { setup.stop() }
        _ = try setup.deliver("/retry-after/1000", wait: 0)
        let first = try setup.deliveries().filter { $0.0.attempts == 1 }
        #expect(!first.isEmpty)
        for (delivery, event) in first {
            let attempt = try #require(try setup.attempts(event.id).first)
            #expect(attempt.statusCode == 429)
            #expect(delivery.status == .pending)
            // The schedule says 5 s; the receiver asked for 1000.
            #expect(delivery.nextAttemptAt - attempt.at >= 1000, "\(event.id): next attempt \(delivery.nextAttemptAt - attempt.at) s after")
        }
        // Keep going for a day: each retry comes no sooner than the recorded next attempt, nor than Retry-After.
        _ = try setup.deliver("/retry-after/1000", wait: 86400)
        let received = byWebhookID(try setup.receiver.requests())
        for (_, event) in first {
            let attempts = try setup.attempts(event.id)
            #expect(attempts.count >= 4)
            #expect(received[event.id]?.count == attempts.count)
            #expect(attempts.allSatisfy { $0.statusCode == 429 })
            for (earlier, later) in zip(attempts, attempts.dropFirst()) {
                #expect(later.at - earlier.at >= 1000, "\(event.id): attempt \(later.attempt) \(later.at - earlier.at) s after the previous")
            }
        }
    }

    @Test("Retry-After as an HTTP date is honoured too")
    func retryAfterDate() throws {
        let setup = try Setup(certificates: 5)
        defer { setup.stop() }
        _ = try setup.deliver("/retry-after-date/3600", wait: 0)
        let first = try setup.deliveries().filter { $0.0.attempts == 1 }
        #expect(!first.isEmpty)
        for (delivery, event) in first {
            let attempt = try #require(try setup.attempts(event.id).first)
            // The date has a resolution of a second, and the receiver's clock ran on a little.
            #expect(delivery.nextAttemptAt - attempt.at >= 3600 - 3, "\(event.id): next attempt \(delivery.nextAttemptAt - attempt.at) s after")
        }
    }

    @Test("libcurl gives up on a slow answer after the request's timeout, as a timeout")
    func curlTimeout() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let started = Date()
        let result = CurlTransport().send(HTTPRequest(url: receiver.url("/slow/3"), body: Data("{}".utf8), timeout: 1))
        let elapsed = Date().timeIntervalSince(started)
        guard case .failure(let error) = result else {
            Issue.record("a 3 s answer with a 1 s timeout succeeded: \(result)")
            return
        }
        #expect(error.kind == .timeout, "\(error)")
        #expect(elapsed >= 0.9 && elapsed < 2.9, "gave up after \(elapsed) s")
        // The same exchange with time to spare succeeds.
        let patient = CurlTransport().send(HTTPRequest(url: receiver.url("/slow/0.2"), body: Data("{}".utf8), timeout: 5))
        #expect((try? patient.get().status) == 200)
    }

    /// First pass: every deliverable event fails once in `failure`'s way (wait 0: one attempt).
    /// Second pass, the endpoint back to /ok: everything is delivered, retried events under the same id.
    func retriedAfter(_ setup: Setup, failingURL: String, transport: any HTTPTransport = CurlTransport(), error expected: String,
                      reachesReceiver: Bool) throws {
        let first = try CertCyclePublishTests.deliver(setup.publisher(url: failingURL, transport: transport), wait: 0, clock: setup.clock)
        #expect(first.delivered == 0)
        #expect(first.retrying > 0)
        #expect(first.dead == 0)
        let failed = try setup.deliveries().filter { $0.0.attempts == 1 }
        #expect(failed.count == first.retrying)
        for (delivery, _) in failed {
            #expect(delivery.status == .pending)
            #expect(delivery.lastStatusCode == nil)
            #expect(delivery.lastError?.hasPrefix(expected) == true, "\(delivery.lastError ?? "no error")")
            #expect(delivery.nextAttemptAt > setup.clock.now().timeIntervalSince1970)
        }
        let failedRequests = try setup.receiver.requests()
        #expect(reachesReceiver ? failedRequests.count == failed.count : failedRequests.isEmpty)

        let second = try setup.deliver("/ok", wait: fiveDays)
        #expect(second.pending == 0 && second.dead == 0)
        #expect(setup.clock.elapsed >= 4.5, "the retry came before its time")
        try setup.expectEveryEventAccepted()
        let received = byWebhookID(try setup.receiver.requests())
        for (_, event) in failed {
            let requests = received[event.id] ?? []
            #expect(requests.map(\.route) == (reachesReceiver ? [URL(string: failingURL)!.path, "/ok"] : ["/ok"]), "\(event.id)")
        }
    }

    @Test("an answer slower than the timeout is retried, under the same id, and delivered when the endpoint is fast again")
    func timeoutsRetried() throws {
        let setup = try Setup(certificates: 20)
        defer { setup.stop() }
        try retriedAfter(setup, failingURL: setup.receiver.url("/slow/3"), transport: ShortTimeoutTransport(timeout: 1),
                         error: "timeout:", reachesReceiver: true)
    }

    @Test("a connection reset without an answer is retried, and delivered later")
    func resetRetried() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try retriedAfter(setup, failingURL: setup.receiver.url("/reset"), error: "connection:", reachesReceiver: true)
    }

    @Test("a refused connection is retried, and delivered when the endpoint listens again")
    func refusedRetried() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try retriedAfter(setup, failingURL: "http://127.0.0.1:\(refusedPort())/hook", error: "refused:", reachesReceiver: false)
    }

    @Test("410 Gone disables the endpoint: nothing more is sent, deliveries stay pending until it is enabled")
    func goneDisablesEndpoint() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let report = try setup.deliver("/gone", wait: fiveDays)
        #expect(report.disabled == ["directory"])
        let state = try #require(try setup.fixture.register.endpointStates()["directory"])
        #expect(state.disabledAt != nil)
        #expect(state.disabledReason == "410 Gone")
        let sent = try setup.receiver.requests()
        #expect(!sent.isEmpty)
        #expect(sent.allSatisfy { $0.status == 410 })
        #expect(Set(sent.compactMap(\.webhookID)).count == sent.count, "an event was sent twice to a gone endpoint")
        let deliveries = try setup.deliveries()
        #expect(deliveries.allSatisfy { $0.0.status == .pending }, "a delivery to a gone endpoint was given up or counted delivered")
        #expect(deliveries.filter { $0.0.attempts == 1 }.allSatisfy { $0.0.lastStatusCode == 410 && $0.0.lastError == "410 Gone: endpoint disabled" })
        #expect(report.pending == deliveries.count, "a disabled endpoint's deliveries still count as pending: run exits 75 until it is enabled")

        // Later passes send nothing while it is disabled.
        let again = try setup.deliver("/ok", wait: fiveDays)
        #expect(again.delivered == 0)
        #expect(try setup.receiver.requests().count == sent.count)

        // `certcycle outbox enable directory` does this.
        var enabled = state
        enabled.disabledAt = nil
        enabled.disabledReason = nil
        try setup.fixture.register.setEndpointState(enabled)
        let resumed = try setup.deliver("/ok", wait: fiveDays)
        #expect(resumed.delivered == deliveries.count)
        try setup.expectEveryEventAccepted()
    }

    @Test("a redirect is not followed: the event is a dead letter, and the redirect's target never sees it")
    func redirectNotFollowed() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let report = try setup.deliver("/redirect", wait: fiveDays)
        let requests = try setup.receiver.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.route == "/redirect" }, "\(Set(requests.map(\.route)))")
        let dead = try setup.deliveries().filter { $0.0.status == .dead }
        #expect(dead.count == requests.count)
        #expect(report.dead == dead.count)
        #expect(dead.allSatisfy { $0.0.attempts == 1 && $0.0.lastError == "redirect not followed (302)" && $0.0.lastStatusCode == 302 })
    }

    @Test("events waiting behind a dead letter do not keep the publisher busy: it returns at once, and they stay pending")
    func waitingBehindDeadLetter() throws {
        let setup = try Setup()
        defer { setup.stop() }
        // 400: refused for good, a dead letter after one attempt.
        let report = try setup.deliver("/status/400", wait: fiveDays)
        let deliveries = try setup.deliveries()
        let dead = deliveries.filter { $0.0.status == .dead }
        let waiting = deliveries.filter { $0.0.status == .pending }
        #expect(!dead.isEmpty)
        #expect(dead.allSatisfy { $0.0.lastError == "refused with 400" })
        #expect(!waiting.isEmpty, "the fixture should give certificates with several events")
        #expect(waiting.allSatisfy { $0.0.attempts == 0 && dead.map(\.0.certificate).contains($0.0.certificate) })
        #expect(report.pending == waiting.count)
        // Nothing can become due until an operator redelivers: no time to wait for.
        #expect(try setup.fixture.register.nextDueTime(endpoints: ["directory"]) == nil)
        #expect(setup.clock.elapsed == 0)
    }

    @Test("after the tenth attempt over more than three days the delivery is a dead letter; redeliver brings it back")
    func deadLetterAndRedeliver() throws {
        let setup = try Setup(certificates: 20)
        defer { setup.stop() }
        // No jitter: the nominal schedule, 5 s … 24 h.
        let policy = RetryPolicy(delays: RetryPolicy.standard.delays, jitter: 0)
        let report = try CertCyclePublishTests.deliver(setup.publisher("/status/503", policy: policy), wait: fiveDays, clock: setup.clock)
        let deliveries = try setup.deliveries()
        let dead = deliveries.filter { $0.0.status == .dead }
        #expect(!dead.isEmpty)
        #expect(report.dead == dead.count)
        // Events behind a dead one (a later event of the same certificate) wait: order is kept.
        #expect(deliveries.allSatisfy { $0.0.status == .dead || ($0.0.status == .pending && $0.0.attempts == 0) })
        let received = byWebhookID(try setup.receiver.requests())
        for (delivery, event) in dead {
            #expect(delivery.attempts == 10)
            #expect(delivery.lastStatusCode == 503)
            #expect(received[event.id]?.count == 10)
            #expect(Set(received[event.id]?.map(\.body) ?? []).count == 1)
            let attempts = try setup.attempts(event.id)
            #expect(attempts.map(\.attempt) == Array(1...10))
            if let firstAt = attempts.first?.at, let lastAt = attempts.last?.at {
                #expect(lastAt - firstAt >= 3 * 86400, "retried for \((lastAt - firstAt) / 86400) days only")
            }
        }
        #expect(setup.clock.elapsed >= 3 * 86400)

        let queued = try setup.fixture.register.redeliver(eventId: nil, deadOnly: true, now: setup.clock.now().timeIntervalSince1970)
        #expect(queued == dead.count)
        let back = try setup.deliveries().filter { dead.map(\.1.id).contains($0.1.id) }
        #expect(back.allSatisfy { $0.0.status == .pending && $0.0.attempts == 0 })
        let resumed = try setup.deliver("/ok", wait: fiveDays)
        #expect(resumed.delivered == deliveries.count)
        #expect(resumed.pending == 0)
        try setup.expectEveryEventAccepted()
    }

    @Test("the standard schedule retries for at least three days, whatever the jitter")
    func scheduleLastsThreeDays() {
        let policy = RetryPolicy.standard
        #expect(policy.maxAttempts == 10)
        #expect(policy.delay(afterAttempts: 10, retryAfter: nil) == nil)
        // INTERFACE.md: retried "for at least 3 days". A few thousand drawn schedules.
        var shortest = Double.infinity
        for _ in 0..<5000 {
            shortest = min(shortest, (1..<policy.maxAttempts).reduce(0.0) { $0 + (policy.delay(afterAttempts: $1, retryAfter: nil) ?? 0) })
        }
        #expect(shortest >= 3 * 86400, "a schedule ended after \(shortest / 86400) days")
        // Retry-After wins over a shorter delay, and is capped at a day.
        #expect((policy.delay(afterAttempts: 1, retryAfter: 600) ?? 0) >= 600)
        #expect((policy.delay(afterAttempts: 1, retryAfter: 10 * 86400) ?? .infinity) <= 86400)
    }
}
