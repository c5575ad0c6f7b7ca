public import CertCycleConfig
public import CertCycleCore
public import CertCycleRegister
public import Foundation
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A message as the outbox keeps it: the envelope recipient and the finished RFC 5322 bytes,
/// fixed when the day is recorded, so every retry sends the same message with the same
/// Message-ID. The envelope sender is the configuration's `from`, read at delivery time.
public struct QueuedMail: Sendable, Hashable, Codable {
    public var to: String
    public var message: String

    public init(to: String, message: String) {
        self.to = to
        self.message = message
    }

    /// Outbox event types.
    public static let letterType = "mail.letter"
    public static let digestType = "mail.digest"

    /// The outbox event: its id is the Message-ID, and its `certificate` column the Message-ID
    /// too, so that one message never waits behind another (the outbox keeps a certificate's
    /// webhook events in order; mail needs no order) and a dead letter holds up nothing.
    public static func event(_ message: MailMessage, type: String, day: CivilDate, createdAt: Double) -> OutboxEvent {
        let body = QueuedMail(to: message.to.address.value, message: message.rendered())
        let json = (try? JSONEncoder().encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return OutboxEvent(id: message.messageID, certificate: message.messageID, type: type, effectiveOn: day, body: json, createdAt: createdAt)
    }

    public init?(event: OutboxEvent) {
        guard let decoded = try? JSONDecoder().decode(QueuedMail.self, from: Data(event.body.utf8)) else { return nil }
        self = decoded
    }
}

extension MailConnection {
    /// Reads the password from its file or `$CREDENTIALS_DIRECTORY` (exit 78 when it cannot be
    /// read, or every user can read it). Messages name the file, never its content.
    public static func load(_ settings: MailSettings, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> MailConnection {
        let path: String
        switch settings.password {
        case .none: return MailConnection(settings: settings, password: nil)
        case .file(let file): path = file
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"] else {
                throw ConfigError(file: "[mail]", "password_credential '\(name)' needs $CREDENTIALS_DIRECTORY (systemd LoadCredential)")
            }
            path = directory + "/" + name
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, "the SMTP password cannot be read")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IROTH != 0 {
            throw ConfigError(file: path, "the SMTP password is readable by every user: chmod 600 it (or 640 for a group)")
        }
        // The whole file but its final line break: a password may hold spaces.
        var password = text
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty, !password.contains("\n") else { throw ConfigError(file: path, "must hold the SMTP password on one line") }
        return MailConnection(settings: settings, password: password)
    }
}

/// Delivers the outbox's queued mail: at least once, retried on the webhooks' schedule when the
/// server answers 4xx or the connection fails, a dead letter when it answers 5xx or the last
/// attempt fails. A crash between sending and recording only means the same message (same
/// Message-ID) goes again.
public struct MailPublisher {
    public let outbox: any Outbox
    public let connection: MailConnection
    public let transport: any MailTransport
    public let clock: any PublishClock
    public let policy: RetryPolicy
    public var logger: Logger
    /// Connections used at once, each reused for message after message.
    public var concurrency: Int = 4
    public var batchSize: Int = 256
    /// As for webhooks: longer than a batch can take.
    public var claimSeconds: Double = 1800
    public var budget: Double?
    public var progress: WorkProgress = .none

    static let endpoint = MailSettings.outboxEndpoint

    public init(outbox: any Outbox, connection: MailConnection, transport: any MailTransport = CurlMailTransport(),
                clock: any PublishClock = SystemClock(), policy: RetryPolicy = .standard, logger: Logger) {
        self.outbox = outbox
        self.connection = connection
        self.transport = transport
        self.clock = clock
        self.policy = policy
        self.logger = logger
    }

    /// Sends everything due, and keeps going while the next retry is due within `wait` seconds.
    public func deliverDue(wait: Double, holder: String) throws -> PublishReport {
        var report = PublishReport()
        let lock: (any RunLock)?
        do {
            lock = try outbox.beginPublishing(holder: holder)
        } catch let held as RunLockHeld {
            logger.info("another publisher is delivering; this pass sends no mail", metadata: ["holder": "\(held.holder)"])
            report.skipped = true
            report.pending = try pendingCount()
            return report
        }
        defer { lock?.release() }
        let deadline = budget.map { clock.now().timeIntervalSince1970 + $0 }
        while true {
            if let deadline, clock.now().timeIntervalSince1970 >= deadline {
                report.budgetSpent = true
                break
            }
            let claimedAt = clock.now().timeIntervalSince1970
            let work = try outbox.claimDueDeliveries(endpoint: Self.endpoint, now: claimedAt, claimUntil: claimedAt + claimSeconds, limit: batchSize)
            if work.isEmpty {
                guard let next = try outbox.nextDueTime(endpoints: [Self.endpoint]), next - claimedAt <= wait, next < deadline ?? .infinity
                else { break }
                clock.sleep(seconds: max(0, next - claimedAt))
                continue
            }
            var envelopes: [MailEnvelope] = []
            var sendable: [(Delivery, Int)] = []
            var recorded: [(DeliveryAttempt, Delivery)] = []
            for (index, (delivery, event)) in work.enumerated() {
                guard let queued = QueuedMail(event: event) else {
                    var dead = delivery
                    dead.attempts += 1
                    dead.status = .dead
                    dead.lastError = "the queued message cannot be read"
                    recorded.append((DeliveryAttempt(endpoint: Self.endpoint, eventId: delivery.eventId, attempt: dead.attempts,
                                                     at: claimedAt, statusCode: nil, error: dead.lastError, milliseconds: 0), dead))
                    report.dead += 1
                    continue
                }
                sendable.append((delivery, index))
                envelopes.append(MailEnvelope(from: connection.settings.from.address.value, recipients: [queued.to], message: Data(queued.message.utf8)))
            }
            let started = clock.now()
            let notAfter = deadline.map { Date().addingTimeInterval($0 - started.timeIntervalSince1970) }
            let results = transport.send(envelopes, over: connection, concurrency: concurrency, notAfter: notAfter)
            let finished = clock.now()
            let milliseconds = Int(finished.timeIntervalSince(started) * 1000 / Double(max(1, envelopes.count)))
            let now = finished.timeIntervalSince1970
            var unsent: [Delivery] = []
            for ((delivery, _), result) in zip(sendable, results) {
                if case .failure(let error) = result, error.kind == .notSent {
                    unsent.append(delivery)
                    continue
                }
                var next = delivery
                next.attempts += 1
                let attempt: DeliveryAttempt
                switch result {
                case .success(let reply):
                    next.lastStatusCode = reply.code
                    next.lastError = reply.accepted ? nil : "SMTP \(reply.code): \(reply.text)"
                    attempt = DeliveryAttempt(endpoint: Self.endpoint, eventId: delivery.eventId, attempt: next.attempts, at: now,
                                              statusCode: reply.code, error: next.lastError, milliseconds: milliseconds)
                    switch reply.code {
                    case 200..<300:
                        next.status = .delivered
                        next.deliveredAt = now
                        report.delivered += 1
                    case 500..<600:
                        next.status = .dead
                        report.dead += 1
                    default:
                        schedule(&next, now: now, report: &report)
                    }
                case .failure(let error):
                    next.lastStatusCode = nil
                    next.lastError = error.description
                    attempt = DeliveryAttempt(endpoint: Self.endpoint, eventId: delivery.eventId, attempt: next.attempts, at: now,
                                              statusCode: nil, error: error.description, milliseconds: milliseconds)
                    schedule(&next, now: now, report: &report)
                }
                if next.status == .dead {
                    logger.warning("mail given up: dead letter", metadata: ["message_id": "\(delivery.eventId)", "error": "\(next.lastError ?? "")"])
                }
                recorded.append((attempt, next))
            }
            // One transaction for the batch: a crash before it only means these are sent again.
            try outbox.recordAttempts(recorded)
            try outbox.releaseClaims(unsent)
            progress("mail: \(report.delivered) delivered, \(report.retrying) to retry, \(report.dead) dead", report.delivered + report.retrying + report.dead)
            if !unsent.isEmpty {
                report.budgetSpent = true
                break
            }
        }
        report.pending = try pendingCount()
        if report.budgetSpent {
            logger.warning("the delivery time budget is spent; the mail left stays pending for `certcycle publish`",
                           metadata: ["budget_seconds": "\(budget ?? 0)", "pending": "\(report.pending)"])
        }
        return report
    }

    private func schedule(_ delivery: inout Delivery, now: Double, report: inout PublishReport) {
        if let delay = policy.delay(afterAttempts: delivery.attempts, retryAfter: nil) {
            delivery.status = .pending
            delivery.nextAttemptAt = now + delay
            report.retrying += 1
        } else {
            delivery.status = .dead
            report.dead += 1
        }
    }

    public func pendingCount() throws -> Int {
        try outbox.deliveryCounts()[Self.endpoint]?[.pending] ?? 0
    }
}
