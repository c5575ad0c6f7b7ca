import ArgumentParser
import CertCycleApp
import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCyclePublish
import CertCycleRegister
import CertCycleRunner
import Foundation

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver pending webhook events and e-mail now (retries), for a timer more frequent than the nightly run.",
        discussion: "Exits 0 when nothing is left pending, 75 when deliveries are still pending (they are retried on their schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h)."
    )

    @OptionGroup var common: CommonOptions
    @Option(help: "Keep going while the next retry is due within this many seconds.") var wait: Double = 10
    @Option(help: "Logs on standard error: text or json.") var logFormat: LogFormat = .text
    @Option(help: ArgumentHelp("Write a Prometheus text file here.", valueName: "path")) var metricsFile: String?

    func run() throws {
        let logger = makeLogger(logFormat)
        try runReporting {
            let configuration = try common.loadConfiguration()
            let endpoints = try PublishingEndpoint.load(configuration.endpoints)
            let mail = try configuration.mail.map { try MailConnection.load($0) }
            guard !endpoints.isEmpty || mail != nil else {
                print("no endpoints and no [mail] are configured: nothing to publish")
                return
            }
            let register = try common.openRegister(configuration)
            let started = Date()
            let terminal = TerminalProgress()
            defer { terminal.finish() }
            if !endpoints.isEmpty {
                // A new endpoint first gets every certificate's state as of the last completed day.
                let jobs = try common.loadJobs(configuration)
                if let last = try register.lastCompletedDay() {
                    try EndpointSync(register: register, jobs: jobs, logger: logger).syncNew(configuration.endpoints, asOf: last)
                }
            }
            let delivery = OutboxDelivery(register: register, endpoints: endpoints, mail: mail, budget: configuration.deliveryBudget,
                                          holder: processDescription(), logger: logger,
                                          output: JobOutput(say: { print($0) }, progress: terminal.reporting, finishProgress: terminal.finish))
            let pending = try delivery.deliver(wait: wait)
            if let metricsFile {
                try MetricsFile(path: metricsFile).write(report: nil, deliveries: try register.deliveryCounts(), succeeded: true,
                                                         finished: Date(), duration: Date().timeIntervalSince(started))
            }
            if pending > 0 {
                throw CLIError(.tryAgain, "\(pending) deliveries are still pending; they are retried on their schedule")
            }
        }
    }
}

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "See and replay webhook and e-mail deliveries.",
        subcommands: [List.self, Redeliver.self, Enable.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries by status, with their last error.")

        @OptionGroup var common: CommonOptions
        @Option(help: "pending, delivered or dead (default: all).") var status: String?
        @Option(help: "Only this endpoint.") var endpoint: String?
        @Option(help: "At most this many rows.") var limit: Int = 200

        func validate() throws {
            if let status, DeliveryStatus(rawValue: status) == nil { throw ValidationError("--status must be pending, delivered or dead") }
        }

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let register = try common.openRegister(configuration)
                let states = try register.endpointStates()
                for (name, counts) in try register.deliveryCounts().sorted(by: { $0.key < $1.key }) {
                    var line = "\(name): " + DeliveryStatus.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
                    if let state = states[name], state.disabledAt != nil { line += " — DISABLED (\(state.disabledReason ?? "")); `certcycle outbox enable \(name)`" }
                    print(line)
                }
                var table = TextTable(header: ["event", "endpoint", "certificate", "type", "effective", "status", "attempts", "next / delivered", "last"])
                let rows = try register.deliveries(status: status.flatMap(DeliveryStatus.init(rawValue:)), endpoint: endpoint, certificate: nil, limit: limit)
                for (delivery, event) in rows {
                    let when = switch delivery.status {
                    case .delivered: delivery.deliveredAt.map(CertificateReport.time) ?? ""
                    case .pending: CertificateReport.time(delivery.nextAttemptAt)
                    case .dead: ""
                    }
                    let last = delivery.lastError ?? delivery.lastStatusCode.map { delivery.endpoint == MailSettings.outboxEndpoint ? "SMTP \($0)" : "HTTP \($0)" } ?? ""
                    table.append([event.id, delivery.endpoint, event.certificate, event.type, event.effectiveOn.description, delivery.status.rawValue,
                                  String(delivery.attempts), when, last])
                }
                print(table.render(), terminator: "")
            }
        }
    }

    struct Redeliver: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send an event again (to every endpoint), or every dead letter with --dead.",
            discussion: "The deliveries go back to pending, due now, with a fresh set of attempts; `certcycle publish` sends them."
        )

        @OptionGroup var common: CommonOptions
        @Flag(help: "Every dead letter.") var dead = false
        @Argument(help: "The event id (webhook-id), or a message's Message-ID (without <>).") var id: String?

        func validate() throws {
            if id != nil, dead { throw ValidationError("give an event id or --dead, not both") }
            if id == nil, !dead { throw ValidationError("give an event id or --dead") }
        }

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let register = try common.openRegister(configuration)
                let count = try register.redeliver(eventId: id, deadOnly: dead, now: Date().timeIntervalSince1970)
                guard count > 0 || dead else { throw CLIError(.usage, "no delivered or dead delivery of event '\(id ?? "")'; `certcycle outbox list` shows them") }
                print("\(count) deliveries queued again; `certcycle publish` sends them")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turn an endpoint disabled by 410 Gone back on.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The endpoint's name.") var name: String

        func run() throws {
            try runReporting {
                let configuration = try common.loadConfiguration()
                let register = try common.openRegister(configuration)
                guard var state = try register.endpointStates()[name], state.disabledAt != nil else {
                    throw CLIError(.usage, "endpoint '\(name)' is not disabled")
                }
                state.disabledAt = nil
                state.disabledReason = nil
                try register.setEndpointState(state)
                print("endpoint \(name) enabled; `certcycle publish` sends what is pending")
            }
        }
    }
}
