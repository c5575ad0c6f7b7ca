public import CertCycleCore
public import CertCycleRegister
import Foundation
public import Logging

/// What `run` and `publish` say as they go (the CLI prints it), and their progress.
public struct JobOutput {
    public var say: (String) -> Void
    public var progress: WorkProgress
    /// Clears a progress line before the next thing is said.
    public var finishProgress: () -> Void

    public init(say: @escaping (String) -> Void, progress: WorkProgress = .none, finishProgress: @escaping () -> Void = {}) {
        self.say = say
        self.progress = progress
        self.finishProgress = finishProgress
    }
}

/// Delivers what the outbox holds, as `run` does after the day commits and `publish` does on
/// its timer: webhook events to their endpoints, then mail; each says one summary line.
public struct OutboxDelivery {
    public let register: any Register
    public let endpoints: [PublishingEndpoint]
    public let mail: MailConnection?
    public var budget: Double?
    public var holder: String
    public var logger: Logger
    public var output: JobOutput

    public init(register: any Register, endpoints: [PublishingEndpoint], mail: MailConnection?, budget: Double?, holder: String,
                logger: Logger, output: JobOutput) {
        self.register = register
        self.endpoints = endpoints
        self.mail = mail
        self.budget = budget
        self.holder = holder
        self.logger = logger
        self.output = output
    }

    /// Delivers while the next retry is due within `wait` seconds; returns how many deliveries
    /// are still pending.
    public func deliver(wait: Double) throws -> Int {
        var pending = 0
        if !endpoints.isEmpty {
            var publisher = Publisher(outbox: register, endpoints: endpoints, logger: logger)
            publisher.budget = budget
            publisher.progress = output.progress
            let report = try publisher.deliverDue(wait: wait, holder: holder)
            output.finishProgress()
            output.say(report.summaryLine())
            pending += report.pending
        }
        if let mail {
            // After the day commits, like webhooks; what is left goes with `certcycle publish`.
            var publisher = MailPublisher(outbox: register, connection: mail, logger: logger)
            publisher.budget = budget
            publisher.progress = output.progress
            let report = try publisher.deliverDue(wait: wait, holder: holder)
            output.finishProgress()
            output.say(report.summaryLine(what: "mail"))
            pending += report.pending
        }
        return pending
    }
}

extension PublishReport {
    /// `webhooks: 3 delivered, 1 to retry, 0 dead letters, 1 pending`, and what else happened.
    public func summaryLine(what: String = "webhooks") -> String {
        if skipped { return "\(what): another publisher is delivering; \(pending) pending" }
        var line = "\(what): \(delivered) delivered, \(retrying) to retry, \(dead) dead letters, \(pending) pending"
        if !disabled.isEmpty { line += "; disabled (410 Gone): \(disabled.joined(separator: ", "))" }
        if budgetSpent { line += "; delivery_budget_seconds spent, the rest stays pending" }
        return line
    }
}
