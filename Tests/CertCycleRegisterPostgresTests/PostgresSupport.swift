import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Logging
import Testing

let shippedJobs = try! Jobs.load(directory: packageRoot.appendingPathComponent("Jobs").path)
let shippedTemplates = try! LetterTemplates.load(directory: shippedJobs.templatesDirectory)

func day(_ text: String) -> CivilDate { CivilDate(parsing: text)! }

/// Tests that need the PostgreSQL server run unless a developer skipped it explicitly; with no
/// server configured they fail, saying how to start one.
let needsPostgres = Testing.ConditionTrait.enabled(if: !TestPostgres.skipped, "CERTCYCLE_SKIP_POSTGRES=1")

/// The nightly run on `register`, with the clock and the holder pinned so that two stores give
/// byte-identical ledgers and manifests.
func pinnedNightly(_ register: any Register, notices: String) -> NightlyRun {
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    return NightlyRun(register: register, jobs: shippedJobs, templates: shippedTemplates, notices: NoticeFolderWriter(root: notices),
                      logger: logger, holder: "test", now: { Date(timeIntervalSince1970: 1_790_000_000) })
}


/// The `files` list of a manifest (paths and hashes), without the ledger head it also names.
func manifestFiles(_ data: Data?) -> String {
    guard let data, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let files = object["files"] as? [[String: Any]] else { return "" }
    return files.map { "\($0["path"] ?? "") \($0["sha256"] ?? "")" }.joined(separator: "\n")
}

/// Every ledger entry, as comparable text.
func ledgerDump(_ register: any Register) throws -> [String] {
    var entries: [String] = []
    try register.forEachLedgerEntry { e in
        entries.append("\(e.seq) \(e.asOf) \(e.kind) \(e.key) \(e.payload) \(e.previousHash) \(e.hash)")
    }
    return entries
}

/// The whole outbox, as comparable text.
func outboxDump(_ register: any Register) throws -> [String] {
    var lines: [String] = []
    for (delivery, event) in try register.deliveries(status: nil, endpoint: nil, certificate: nil, limit: 1_000_000) {
        lines.append("\(delivery) \(event)")
        for attempt in try register.attempts(endpoint: delivery.endpoint, eventId: delivery.eventId) {
            lines.append("  \(attempt)")
        }
    }
    for (name, state) in try register.endpointStates().sorted(by: { $0.key < $1.key }) {
        lines.append("endpoint \(name) \(state)")
    }
    lines.append("counts \(try register.deliveryCounts().sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.sorted { $0.key.rawValue < $1.key.rawValue })" })")
    return lines
}

/// Runs the built certcycle and expects success.
@discardableResult
func certcycle(_ arguments: [String], in directory: String, environment: [String: String] = [:],
               sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    let result = try runCertcycle(arguments, in: directory, environment: environment)
    #expect(result.status == 0, "certcycle \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
    return result
}
