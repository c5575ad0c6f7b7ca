public import CertCycleConfig
public import CertCycleCore
public import CertCycleRegister
public import Foundation
public import Logging

/// The clock the publisher schedules by; tests inject one that jumps instead of sleeping.
public protocol PublishClock: Sendable {
    func now() -> Date
    func sleep(seconds: Double)
}

public struct SystemClock: PublishClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }
}

/// When to try again (Standard Webhooks schedule): after the first attempt fails, 5 s, then
/// 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h — ten attempts over more than three days.
public struct RetryPolicy: Sendable {
    /// Seconds to wait after attempt n (1-based) fails, before attempt n + 1.
    public var delays: [Double]
    /// Each delay is lengthened by up to this fraction, so endpoints that come back are not hit
    /// by every publisher at once. Never shortened: the schedule must last at least three days
    /// (INTERFACE.md), and the nominal one lasts only 3.15.
    public var jitter: Double

    public static let standard = RetryPolicy(delays: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400], jitter: 0.1)

    public init(delays: [Double], jitter: Double) {
        self.delays = delays
        self.jitter = jitter
    }

    public var maxAttempts: Int { delays.count + 1 }

    /// The wait after `attempts` failed attempts, or nil when that was the last.
    public func delay(afterAttempts attempts: Int, retryAfter: Double?) -> Double? {
        guard attempts < maxAttempts else { return nil }
        let base = delays[attempts - 1]
        let spread = base * jitter
        let jittered = spread > 0 ? base + Double.random(in: 0...spread) : base
        // Retry-After is honoured: never sooner than the receiver asked (capped at a day).
        return max(jittered, min(retryAfter ?? 0, 86400))
    }
}

/// An endpoint ready to send to: its settings and its secrets.
public struct PublishingEndpoint: Sendable {
    public var settings: EndpointSettings
    public var secrets: EndpointSecrets

    public init(settings: EndpointSettings, secrets: EndpointSecrets) {
        self.settings = settings
        self.secrets = secrets
    }

    /// Loads the secrets of every configured endpoint (exit 78 when one is missing or bad).
    public static func load(_ endpoints: [EndpointSettings]) throws(ConfigError) -> [PublishingEndpoint] {
        var loaded: [PublishingEndpoint] = []
        for endpoint in endpoints {
            loaded.append(PublishingEndpoint(settings: endpoint, secrets: try EndpointSecrets.load(endpoint)))
        }
        return loaded
    }
}

/// What a publishing pass did.
public struct PublishReport: Sendable {
    public var delivered = 0
    /// Failed attempts that will be retried.
    public var retrying = 0
    /// Deliveries given up (dead letters) in this pass.
    public var dead = 0
    /// Endpoints that answered 410 Gone in this pass and are now disabled.
    public var disabled: [String] = []
    /// Deliveries still pending after the pass, for enabled endpoints.
    public var pending = 0
    /// Another publisher had the lock: this pass sent nothing.
    public var skipped = false
    /// The pass stopped because its time budget was spent; what was left stays pending.
    public var budgetSpent = false

    public init() {}
}

/// Delivers due outbox events to their endpoints over HTTP: signed, at least once, a
/// certificate's events in order, retried on the schedule, dead-lettered after the last try.
public struct Publisher {
    public let outbox: any Outbox
    public let endpoints: [PublishingEndpoint]
    public let transport: any HTTPTransport
    public let clock: any PublishClock
    public let policy: RetryPolicy
    public var logger: Logger
    public var concurrency: Int
    public var batchSize: Int
    /// How long a claimed delivery stays claimed: longer than a whole batch can take
    /// (batchSize / concurrency rounds of at most the request timeout: 32 × 30 s).
    public var claimSeconds: Double = 1200
    /// The most seconds one pass spends delivering (nil: no limit). A receiver that accepts and
    /// never answers must not hold up the nightly run: requests are cut off at the end of the
    /// budget, and those not started by then stay pending, untouched, for `certcycle publish`.
    public var budget: Double?
    /// Deliveries attempted so far in this pass (a terminal shows it).
    public var progress: WorkProgress = .none

    public init(outbox: any Outbox, endpoints: [PublishingEndpoint], transport: any HTTPTransport = CurlTransport(),
                clock: any PublishClock = SystemClock(), policy: RetryPolicy = .standard, logger: Logger,
                concurrency: Int = 16, batchSize: Int = 512) {
        self.outbox = outbox
        self.endpoints = endpoints
        self.transport = transport
        self.clock = clock
        self.policy = policy
        self.logger = logger
        self.concurrency = concurrency
        self.batchSize = batchSize
    }

    /// Sends everything due, and keeps going while the next retry is due within `wait` seconds.
    public func deliverDue(wait: Double, holder: String) throws -> PublishReport {
        var report = PublishReport()
        guard !endpoints.isEmpty else { return report }
        let lock: (any RunLock)?
        do {
            lock = try outbox.beginPublishing(holder: holder)
        } catch let held as RunLockHeld {
            logger.info("another publisher is delivering; this pass sends nothing", metadata: ["holder": "\(held.holder)"])
            report.skipped = true
            report.pending = try pendingCount()
            return report
        }
        defer { lock?.release() }

        var states = try outbox.endpointStates()
        var active = endpoints.filter { states[$0.settings.name]?.disabledAt == nil }
        let deadline = budget.map { clock.now().timeIntervalSince1970 + $0 }
        while !active.isEmpty {
            if let deadline, clock.now().timeIntervalSince1970 >= deadline {
                report.budgetSpent = true
                break
            }
            let claimedAt = clock.now().timeIntervalSince1970
            var work: [(PublishingEndpoint, Delivery, OutboxEvent)] = []
            for endpoint in active {
                for (delivery, event) in try outbox.claimDueDeliveries(endpoint: endpoint.settings.name, now: claimedAt,
                                                                      claimUntil: claimedAt + claimSeconds, limit: batchSize) {
                    work.append((endpoint, delivery, event))
                }
            }
            if work.isEmpty {
                guard let next = try outbox.nextDueTime(endpoints: active.map(\.settings.name)), next - claimedAt <= wait,
                      next < deadline ?? .infinity
                else { break }
                clock.sleep(seconds: max(0, next - claimedAt))
                continue
            }
            let started = clock.now()
            // The transport counts in wall-clock time; the budget's end, in the clock's, is moved across.
            let notAfter = deadline.map { Date().addingTimeInterval($0 - started.timeIntervalSince1970) }
            // Each request is signed as it starts, so its timestamp is fresh even late in a slow batch.
            let results = transport.send(count: work.count, concurrency: concurrency) { index in
                var next = request(for: work[index].0, event: work[index].2, timestamp: Int(clock.now().timeIntervalSince1970))
                next.notAfter = notAfter
                return next
            }
            let finished = clock.now()
            let milliseconds = Int(finished.timeIntervalSince(started) * 1000)
            let now = finished.timeIntervalSince1970
            var gone: Set<String> = []
            var recorded: [(DeliveryAttempt, Delivery)] = []
            var unsent: [Delivery] = []
            for ((endpoint, delivery, _), result) in zip(work, results) {
                if case .failure(let error) = result, error.kind == .notSent {
                    unsent.append(delivery)
                    continue
                }
                let name = endpoint.settings.name
                var next = delivery
                next.attempts += 1
                let attempt: DeliveryAttempt
                switch result {
                case .success(let response):
                    attempt = DeliveryAttempt(endpoint: name, eventId: delivery.eventId, attempt: next.attempts, at: now,
                                              statusCode: response.status, error: nil, milliseconds: milliseconds)
                    next.lastStatusCode = response.status
                    next.lastError = nil
                    switch response.status {
                    case 200..<300:
                        next.status = .delivered
                        next.deliveredAt = now
                        report.delivered += 1
                    case 410:
                        // Gone: the endpoint does not want events any more. The delivery stays pending.
                        next.lastError = "410 Gone: endpoint disabled"
                        gone.insert(name)
                    case 408, 429, 500..<600:
                        schedule(&next, now: now, retryAfter: Self.retryAfter(response.headers["retry-after"], now: now), report: &report)
                    case 300..<400:
                        next.lastError = "redirect not followed (\(response.status))"
                        next.status = .dead
                        report.dead += 1
                    default:
                        next.lastError = "refused with \(response.status)"
                        next.status = .dead
                        report.dead += 1
                    }
                case .failure(let error):
                    attempt = DeliveryAttempt(endpoint: name, eventId: delivery.eventId, attempt: next.attempts, at: now,
                                              statusCode: nil, error: error.description, milliseconds: milliseconds)
                    next.lastStatusCode = nil
                    next.lastError = error.description
                    schedule(&next, now: now, retryAfter: nil, report: &report)
                }
                if next.status == .dead {
                    logger.warning("delivery given up: dead letter", metadata: ["endpoint": "\(name)", "event": "\(delivery.eventId)",
                                                                                "error": "\(next.lastError ?? "")"])
                }
                recorded.append((attempt, next))
            }
            // One transaction for the batch: a crash before it only means these are sent again.
            try outbox.recordAttempts(recorded)
            try outbox.releaseClaims(unsent)
            progress("publishing: \(report.delivered) delivered, \(report.retrying) to retry, \(report.dead) dead", report.delivered + report.retrying + report.dead)
            for name in gone.sorted() {
                var state = states[name] ?? EndpointState(name: name)
                state.disabledAt = now
                state.disabledReason = "410 Gone"
                try outbox.setEndpointState(state)
                states[name] = state
                report.disabled.append(name)
                logger.warning("endpoint answered 410 Gone and is disabled; `certcycle outbox enable \(name)` turns it back on",
                               metadata: ["endpoint": "\(name)"])
            }
            active.removeAll { gone.contains($0.settings.name) }
            if !unsent.isEmpty {
                report.budgetSpent = true
                break
            }
        }
        report.pending = try pendingCount()
        if report.budgetSpent {
            logger.warning("the delivery time budget is spent; what is left stays pending for `certcycle publish`",
                           metadata: ["budget_seconds": "\(budget ?? 0)", "pending": "\(report.pending)"])
        }
        return report
    }

    private func schedule(_ delivery: inout Delivery, now: Double, retryAfter: Double?, report: inout PublishReport) {
        if let delay = policy.delay(afterAttempts: delivery.attempts, retryAfter: retryAfter) {
            delivery.status = .pending
            delivery.nextAttemptAt = now + delay
            report.retrying += 1
        } else {
            delivery.status = .dead
            report.dead += 1
        }
    }

    /// Pending deliveries of the configured endpoints, disabled ones included (their events
    /// wait until the endpoint is enabled again).
    public func pendingCount() throws -> Int {
        let counts = try outbox.deliveryCounts()
        return endpoints.reduce(0) { $0 + (counts[$1.settings.name]?[.pending] ?? 0) }
    }

    /// The request for one event, in the endpoint's format.
    func request(for endpoint: PublishingEndpoint, event: OutboxEvent, timestamp: Int) -> HTTPRequest {
        let settings = endpoint.settings
        var headers = ["content-type": "application/json", "webhook-id": event.id]
        let body: Data
        switch settings.format {
        case .standard:
            body = Data(event.body.utf8)
            headers.merge(StandardWebhooks.headers(id: event.id, timestamp: timestamp, body: body, secrets: endpoint.secrets.signing)) { $1 }
        case .certsearch:
            body = CertSearchPayload.body(fromStandard: event.body) ?? Data()
            headers["x-http-authorization"] = endpoint.secrets.apiKey ?? ""
        }
        return HTTPRequest(url: settings.url, method: "POST", headers: headers, body: body,
                           connectTimeout: settings.connectTimeout, timeout: settings.timeout, caBundle: settings.caFile)
    }

    /// Seconds to wait from a Retry-After header: a number of seconds or an HTTP date.
    static func retryAfter(_ value: String?, now: Double) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince1970 - now)
    }
}
