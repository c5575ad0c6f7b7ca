import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleSampleData
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Logging

let shippedJobs = try! Jobs.load(directory: packageRoot.appendingPathComponent("Jobs").path)
let shippedTemplates = try! LetterTemplates.load(directory: shippedJobs.templatesDirectory)

func day(_ text: String) -> CivilDate { CivilDate(parsing: text)! }

/// A generated register in a store (in memory unless a test names a real one: an SQLite file,
/// or a database of its own on the test PostgreSQL server), and a notices folder beside it.
struct RunFixture {
    let folder: TemporaryFolder
    let store: TestStore
    var register: any Register { store.register }

    init(certificates: Int = 300, seed: UInt64 = 5, around: String = "2026-06-30", store kind: StoreKind = .memory) throws {
        folder = try TemporaryFolder("runner")
        _ = try RegisterGenerator(certificates: certificates, seed: seed, around: day(around)).write(to: folder.path("register"))
        store = try TestStore(kind, in: folder)
        do {
            _ = try RegisterImporter(register: store.register).importDirectory(folder.path("register"))
        } catch {
            store.cleanUp()
            throw error
        }
    }

    /// A hand-made register: CSV texts by file name (header line first).
    init(files: [String: String], store kind: StoreKind = .memory) throws {
        folder = try TemporaryFolder("runner")
        let directory = folder.path("register")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        store = try TestStore(kind, in: folder)
        _ = try RegisterImporter(register: store.register).importDirectory(directory)
    }

    /// Imports more CSV files into the register (rows are upserted by id).
    func add(_ files: [String: String]) throws {
        let directory = folder.path("more-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The three files an import needs, with their headers only where the test adds nothing to them.
        let required = [
            "organizations.csv": "org_id,name,address,credit_code,employees,contact_email\n",
            "certificates.csv": "cert_no,org_id,scope,standard,service_sites,valid_through\n",
            "audits.csv": "audit_id,cert_no,kind,onsite_start,onsite_end,score,deductions,decision_date,decided_by,team,man_days,due_on\n",
        ]
        for (name, text) in required.merging(files, uniquingKeysWith: { $1 }) {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        _ = try RegisterImporter(register: register).importDirectory(directory)
    }

    /// The text of every letter (`.txt`) of the day folder, by file name.
    func letters(_ date: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (path, data) in try noticeFiles() where path.hasPrefix(date + "/letters/") && path.hasSuffix(".txt") {
            result[String(path.dropFirst(date.count + "/letters/".count))] = String(decoding: data, as: UTF8.self)
        }
        return result
    }

    /// Runs the nightly job for every day from `first` through `last`, one run a night.
    func nightly(from first: String, through last: String, jobs: Jobs = shippedJobs) throws {
        var date = day(first)
        while date <= day(last) {
            _ = try nightly(jobs: jobs).run(asOf: date)
            date = date.addingDays(1)
        }
    }

    /// Removes the folder and, on PostgreSQL, the database.
    func cleanUp() {
        store.cleanUp()
        folder.cleanUp()
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
        for name in (try? FileManager.default.contentsOfDirectory(atPath: noticesRoot)) ?? [] where !name.hasPrefix(".") && name != "index.html" {
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
            if entry.kind != .run { facts.append("\(entry.asOf) \(entry.kind) \(entry.key) \(entry.payload)") }
        }
        return facts
    }

    /// The kind and key of every ledger entry but run records, in order, without payloads.
    func recordedKeys() throws -> [String] {
        var keys: [String] = []
        try register.forEachLedgerEntry { entry in
            if entry.kind != .run { keys.append("\(entry.asOf) \(entry.kind) \(entry.key)") }
        }
        return keys
    }

    func verify() throws -> LedgerVerifier.Result {
        try LedgerVerifier(register: register, notices: NoticeFolderWriter(root: noticesRoot)).verify()
    }
}
