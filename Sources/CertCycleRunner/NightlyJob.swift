public import CertCycleConfig
public import CertCycleCore
public import CertCycleNotices
public import CertCyclePublish
public import CertCycleRegister
import Foundation
public import Logging

/// Where a job finds what it works on: the CLI's options (and tests) provide them. Each is
/// asked for in turn, inside the job, so that a failure to load one is the job's failure (a
/// health-check `fail` ping, a metrics file saying so).
public protocol JobInputs {
    func configuration() throws -> Configuration
    func jobs(_ configuration: Configuration) throws -> Jobs
    func templates(_ jobs: Jobs) throws -> LetterTemplates
    /// The register; `checked`: run SQLite's quick_check first (a damaged register stops the
    /// run before anything is written).
    func register(_ configuration: Configuration, checked: Bool) throws -> any Register
}

/// `certcycle run` as a whole: the health-check pings, the nightly run, then delivery of what
/// the outbox holds (webhooks, then mail), and the metrics file, whatever happens.
public struct NightlyJob {
    public var inputs: any JobInputs
    public var logger: Logger
    public var holder: String
    public var output: JobOutput
    public var asOf: (Configuration) -> CivilDate
    public var dryRun = false
    public var allowFuture = false
    /// The notices folder when not the configuration's.
    public var notices: String?
    public var metricsFile: String?

    public init(inputs: any JobInputs, logger: Logger, holder: String, output: JobOutput, asOf: @escaping (Configuration) -> CivilDate) {
        self.inputs = inputs
        self.logger = logger
        self.holder = holder
        self.output = output
        self.asOf = asOf
    }

    /// Runs the job; returns how many deliveries are still pending (retried by `publish`).
    public func run() throws -> Int {
        let started = Date()
        var report: RunReport?
        var succeeded = false
        var deliveries: [String: [DeliveryStatus: Int]]?
        defer { writeMetrics(report: report, deliveries: deliveries, succeeded: succeeded, started: started) }
        let configuration = try inputs.configuration()
        let health = configuration.healthcheckURL.flatMap { dryRun ? nil : HealthCheck(url: $0) }
        health?.ping(.start, logger: logger)
        do {
            let jobs = try inputs.jobs(configuration)
            let templates = try inputs.templates(jobs)
            let endpoints = try PublishingEndpoint.load(configuration.endpoints)
            // The password is read before anything is recorded: a run must not queue mail it cannot send.
            let mail = try configuration.mail.map { try MailConnection.load($0) }
            // A bad job definition is a configuration error (78) whatever the register.
            try NightlyRun.checkTemplates(jobs, templates)
            let register = try inputs.register(configuration, checked: !dryRun)
            var nightly = NightlyRun(register: register, jobs: jobs, templates: templates,
                                     notices: NoticeFolderWriter(root: notices ?? configuration.notices), logger: logger, holder: holder)
            nightly.endpoints = configuration.endpoints
            nightly.mail = configuration.mail
            nightly.today = configuration.today()
            nightly.allowFuture = allowFuture
            nightly.progress = output.progress
            let date = asOf(configuration)
            let result = try nightly.run(asOf: date, dryRun: dryRun)
            output.finishProgress()
            report = result
            result.summaryLines.forEach(output.say)
            var pending = 0
            if !dryRun {
                let delivery = OutboxDelivery(register: register, endpoints: endpoints, mail: mail, budget: configuration.deliveryBudget,
                                              holder: holder, logger: logger, output: output)
                pending = try delivery.deliver(wait: 10)
                if !endpoints.isEmpty || mail != nil { deliveries = try register.deliveryCounts() }
            }
            succeeded = true
            health?.ping(.success, message: "certcycle run \(date): \(result.days.count) day(s)", logger: logger)
            return pending
        } catch {
            health?.ping(.fail, message: "\(error)", logger: logger)
            throw error
        }
    }

    private func writeMetrics(report: RunReport?, deliveries: [String: [DeliveryStatus: Int]]?, succeeded: Bool, started: Date) {
        guard let metricsFile else { return }
        do {
            try MetricsFile(path: metricsFile).write(report: report, deliveries: deliveries, succeeded: succeeded, finished: Date(),
                                                     duration: Date().timeIntervalSince(started))
        } catch {
            logger.error("cannot write the metrics file: \(error)")
        }
    }
}

extension RunReport {
    /// What `certcycle run` prints: one line a day, and where to open the digest.
    public var summaryLines: [String] {
        if alreadyDone { return ["\(asOf) is already done: nothing new"] }
        var lines: [String] = []
        if let skipped {
            lines.append("gap longer than max_catch_up_days: \(skipped.lowerBound)–\(skipped.upperBound) not caught up")
        }
        for day in days {
            let verb = dryRun ? "would write" : (day.adopted ? "kept" : "wrote")
            lines.append("\(day.asOf): \(day.obligations) obligations, \(day.newStages) new stages, \(day.letters) letters, \(day.statusChanges) status changes, \(day.findings) warnings; \(verb) \(day.folder)")
            if dryRun {
                for name in day.letterFiles { lines.append("  letters/\(name)") }
            }
        }
        if let last = days.last, !dryRun { lines.append("open \(last.folder)/digest.html") }
        return lines
    }
}
