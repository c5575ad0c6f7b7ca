import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleTestSupport
import Foundation
import Logging

let shippedJobs = try! Jobs.load(directory: packageRoot.appendingPathComponent("Jobs").path)
let shippedTemplates = try! LetterTemplates.load(directory: shippedJobs.templatesDirectory)

func day(_ text: String) -> CivilDate { CivilDate(parsing: text)! }

/// A generated register in a real SQLite file, and a notices folder beside it.
struct RunFixture {
    let folder: TemporaryFolder
    let register: SQLiteRegister

    init(certificates: Int = 300, seed: UInt64 = 5, around: String = "2026-06-30") throws {
        folder = try TemporaryFolder("runner")
        _ = try RegisterGenerator(certificates: certificates, seed: seed, around: day(around)).write(to: folder.path("register"))
        register = try SQLiteRegister(path: folder.path("register.sqlite"))
        _ = try RegisterImporter(register: register).importDirectory(folder.path("register"))
    }

    var noticesRoot: String { folder.path("notices") }

    func nightly(jobs: Jobs = shippedJobs) -> NightlyRun {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return NightlyRun(register: register, jobs: jobs, templates: shippedTemplates, notices: NoticeFolderWriter(root: noticesRoot),
                          logger: logger, holder: "test", now: { Date(timeIntervalSince1970: 1_790_000_000) })
    }

    /// Every file under the notices folder, by relative path.
    func noticeFiles() throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: noticesRoot)) ?? [] where !name.hasPrefix(".") {
            for file in try NoticeFolderWriter.readFiles(in: noticesRoot + "/" + name) {
                result[name + "/" + file.path] = file.data
            }
        }
        return result
    }

    /// Ledger entries other than run records (which carry the wall-clock time), as comparable strings.
    func recordedFacts() throws -> [String] {
        var facts: [String] = []
        try register.forEachLedgerEntry { entry in
            if entry.kind != "run" { facts.append("\(entry.asOf) \(entry.kind) \(entry.key) \(entry.payload)") }
        }
        return facts
    }

    func verify() throws -> LedgerVerifier.Result {
        try LedgerVerifier(register: register, notices: NoticeFolderWriter(root: noticesRoot)).verify()
    }
}
