import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

@Suite("the nightly run", .serialized)
struct NightlyRunTests {
    @Test("the same as-of twice writes nothing new the second time", arguments: StoreKind.all)
    func idempotent(_ kind: StoreKind) throws {
        let fixture = try RunFixture(store: kind)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-06-29"))
        let first = try fixture.nightly().run(asOf: day("2026-06-30"))
        #expect(first.days.count == 1)
        #expect(first.days[0].letters > 0)
        let files = try fixture.noticeFiles()
        let facts = try fixture.recordedFacts()
        let second = try fixture.nightly().run(asOf: day("2026-06-30"))
        #expect(second.alreadyDone)
        #expect(second.days.isEmpty)
        #expect(try fixture.noticeFiles() == files)
        #expect(try fixture.recordedFacts() == facts)
        // An earlier date after a later one is also already done.
        #expect(try fixture.nightly().run(asOf: day("2026-06-15")).alreadyDone)
    }

    @Test("a 10-day gap is caught up day by day: the same folders and records as ten nightly runs, less the letters it has overtaken", arguments: StoreKind.all)
    func catchUp(_ kind: StoreKind) throws {
        let daily = try RunFixture(store: kind)
        let gap = try RunFixture(store: kind)
        defer {
            daily.cleanUp()
            gap.cleanUp()
        }
        _ = try daily.nightly().run(asOf: day("2026-06-18"))
        _ = try gap.nightly().run(asOf: day("2026-06-18"))
        var date = day("2026-06-19")
        while date <= day("2026-06-28") {
            _ = try daily.nightly().run(asOf: date)
            date = date.addingDays(1)
        }
        let report = try gap.nightly().run(asOf: day("2026-06-28"))
        #expect(report.days.map(\.asOf) == (19...28).map { day("2026-06-\($0)") })
        let gapFiles = try gap.noticeFiles(), dailyFiles = try daily.noticeFiles()
        #expect(Set(gapFiles.keys.map { $0.prefix(10) }) == Set(dailyFiles.keys.map { $0.prefix(10) }))
        // The same stages and changes are recorded, on the same days.
        #expect(try gap.recordedKeys() == daily.recordedKeys())
        // Each letter of the catch-up is one the nightly runs wrote too, in the same day's folder;
        // the ones it leaves out are for stages the obligation had left by the 28th.
        let gapLetters = Set(gapFiles.keys.filter { $0.contains("/letters/") })
        let dailyLetters = Set(dailyFiles.keys.filter { $0.contains("/letters/") })
        #expect(gapLetters.isSubset(of: dailyLetters))
        #expect(!gapLetters.isEmpty)
        for skipped in dailyLetters.subtracting(gapLetters) where skipped.hasSuffix(".txt") {
            #expect(!skipped.hasPrefix("2026-06-28/"), "a letter of the last day is never overtaken: \(skipped)")
        }
        let names = gapLetters.map { $0.split(separator: "/").last! }
        #expect(Set(names).count == names.count)
        #expect(try gap.verify().problems.isEmpty)
    }

    @Test("a gap longer than max_catch_up_days is caught up for its last days only", arguments: StoreKind.all)
    func catchUpBound(_ kind: StoreKind) throws {
        let fixture = try RunFixture(store: kind)
        defer { fixture.cleanUp() }
        var jobs = shippedJobs
        jobs.runner.maxCatchUpDays = 3
        _ = try fixture.nightly(jobs: jobs).run(asOf: day("2026-06-01"))
        let report = try fixture.nightly(jobs: jobs).run(asOf: day("2026-06-10"))
        #expect(report.days.map(\.asOf) == [day("2026-06-08"), day("2026-06-09"), day("2026-06-10")])
        #expect(report.skipped == day("2026-06-02")...day("2026-06-07"))
    }

    @Test("§9: from 1 November the digest warns that next year's calendar file is missing")
    func missingCalendarWarning() throws {
        let fixture = try RunFixture()
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-12-02"))
        let files = try fixture.noticeFiles()
        let markdown = String(decoding: try #require(files["2026-12-02/digest.md"]), as: UTF8.self)
        let html = String(decoding: try #require(files["2026-12-02/digest.html"]), as: UTF8.self)
        #expect(markdown.contains("Jobs/calendars/2027.toml"))
        #expect(markdown.contains("尚无 2027 年的节假日日历文件"))
        #expect(html.contains("尚无 2027 年的节假日日历文件"))
        // Not before 1 November.
        let october = try RunFixture()
        defer { october.cleanUp() }
        _ = try october.nightly().run(asOf: day("2026-10-31"))
        let early = String(decoding: try #require(try october.noticeFiles()["2026-10-31/digest.md"]), as: UTF8.self)
        #expect(!early.contains("日历文件"))
    }

    @Test("a dry run works everything out and changes nothing", arguments: StoreKind.all)
    func dryRun(_ kind: StoreKind) throws {
        let fixture = try RunFixture(store: kind)
        defer { fixture.cleanUp() }
        let dry = try fixture.nightly().run(asOf: day("2026-06-30"), dryRun: true)
        #expect(dry.days.first?.obligations ?? 0 > 0)
        #expect(!FileManager.default.fileExists(atPath: fixture.noticesRoot))
        #expect(try fixture.recordedFacts().isEmpty)
        _ = try fixture.nightly().run(asOf: day("2026-06-20"))
        let facts = try fixture.recordedFacts()
        let dryCatchUp = try fixture.nightly().run(asOf: day("2026-06-30"), dryRun: true)
        #expect(dryCatchUp.lettersWritten > 0)
        #expect(try fixture.recordedFacts() == facts)
        let real = try fixture.nightly().run(asOf: day("2026-06-30"))
        #expect(real.days.map(\.letterFiles) == dryCatchUp.days.map(\.letterFiles))
    }

    @Test("a second run while one holds the lock stops at once, naming the holder", arguments: StoreKind.all)
    func lockHeld(_ kind: StoreKind) throws {
        let fixture = try RunFixture(certificates: 20, store: kind)
        defer { fixture.cleanUp() }
        let lock = try fixture.register.acquireRunLock(holder: "pid 4242 on office-2 since 2026-06-30T17:30:00Z")
        let error = #expect(throws: RunnerError.self) { try fixture.nightly().run(asOf: day("2026-06-30")) }
        #expect(error?.kind == .locked)
        #expect(error?.message.contains("pid 4242 on office-2") == true)
        lock.release()
        #expect(try fixture.nightly().run(asOf: day("2026-06-30")).days.count == 1)
    }

    @Test("the folder is written aside and renamed: read-only files, nothing left half-written", arguments: StoreKind.all)
    func folderIsWholeAndReadOnly(_ kind: StoreKind) throws {
        let fixture = try RunFixture(certificates: 50, store: kind)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-06-30"))
        let folder = fixture.noticesRoot + "/2026-06-30"
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.noticesRoot)
        #expect(names.sorted() == ["2026-06-30", "forecast-2026-06.html", "index.html"])
        for name in ["digest.html", "digest.md", "obligations.csv", "manifest.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)
            #expect((attributes[.posixPermissions] as? Int) == 0o444)
        }
        let csv = try Data(contentsOf: URL(fileURLWithPath: folder + "/obligations.csv"))
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
    }

    @Test("a folder left by a run killed before it recorded the day is adopted when identical, set aside when not", arguments: StoreKind.all)
    func orphanFolders(_ kind: StoreKind) throws {
        let fixture = try RunFixture(certificates: 50, store: kind)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-06-29"), dryRun: false)
        // Simulate a run killed after the rename, before the commit: write the folder the run would write.
        let reference = try RunFixture(certificates: 50, store: kind)
        defer { reference.cleanUp() }
        _ = try reference.nightly().run(asOf: day("2026-06-29"))
        _ = try reference.nightly().run(asOf: day("2026-06-30"))
        let orphan = try NoticeFolderWriter.readFiles(in: reference.noticesRoot + "/2026-06-30")
        try NoticeFolderWriter(root: fixture.noticesRoot).write("2026-06-30", files: orphan)
        let adopted = try fixture.nightly().run(asOf: day("2026-06-30"))
        #expect(adopted.days.first?.adopted == true)
        #expect(try fixture.verify().problems.isEmpty)

        // A stray folder that differs is moved aside, and the run writes its own.
        try NoticeFolderWriter(root: fixture.noticesRoot).write("2026-07-01", files: [NoticeFile(path: "digest.md", data: Data("stale".utf8))])
        let replaced = try fixture.nightly().run(asOf: day("2026-07-01"))
        #expect(replaced.days.first?.adopted == false)
        #expect(FileManager.default.fileExists(atPath: fixture.noticesRoot + "/2026-07-01.unrecorded-1"))
        let result = try fixture.verify()
        #expect(result.problems.isEmpty)
        #expect(result.setAside == ["2026-07-01.unrecorded-1"])
    }
}

@Suite("ledger verify detects tampering")
struct TamperTests {
    func recordedFixture(_ kind: StoreKind) throws -> RunFixture {
        let fixture = try RunFixture(certificates: 80, store: kind)
        _ = try fixture.nightly().run(asOf: day("2026-06-10"))
        _ = try fixture.nightly().run(asOf: day("2026-06-28"))
        _ = try fixture.nightly().run(asOf: day("2026-06-30"))
        #expect(try fixture.verify().problems.isEmpty)
        return fixture
    }

    func makeWritable(_ path: String) {
        chmod((path as NSString).deletingLastPathComponent, 0o755)
        chmod(path, 0o644)
    }

    @Test("a changed notice file is reported", arguments: StoreKind.all)
    func changedFile(_ kind: StoreKind) throws {
        let fixture = try recordedFixture(kind)
        defer { fixture.cleanUp() }
        let path = fixture.noticesRoot + "/2026-06-29/digest.md"
        makeWritable(path)
        try "edited".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try fixture.verify().problems == ["2026-06-29/digest.md was changed after it was written"])
    }

    @Test("a removed letter and an added file are reported", arguments: StoreKind.all)
    func removedAndAdded(_ kind: StoreKind) throws {
        let fixture = try recordedFixture(kind)
        defer { fixture.cleanUp() }
        let folder = try #require(try fixture.noticeFiles().keys.filter { $0.contains("/letters/") }.sorted().first?.prefix(10))
        let letters = fixture.noticesRoot + "/\(folder)/letters"
        let letter = try #require(try FileManager.default.contentsOfDirectory(atPath: letters).sorted().first)
        chmod(letters, 0o755)
        try FileManager.default.removeItem(atPath: letters + "/" + letter)
        try "forged".write(toFile: letters + "/ORG-X_forged.txt", atomically: false, encoding: .utf8)
        let problems = try fixture.verify().problems
        #expect(problems.contains("\(folder)/letters/\(letter) was removed"))
        #expect(problems.contains("\(folder)/letters/ORG-X_forged.txt was added after the folder was written"))
    }

    @Test("a changed, removed or inserted ledger record is reported", arguments: StoreKind.all)
    func changedRecords(_ kind: StoreKind) throws {
        let fixture = try recordedFixture(kind)
        defer { fixture.cleanUp() }
        // With the store's own tool (sqlite3 or psql), as someone tampering would.
        try fixture.store.tamper("UPDATE ledger SET payload = replace(payload, 'overdue', 'due') WHERE seq = (SELECT min(seq) FROM ledger WHERE payload LIKE '%overdue%')")
        let changed = try fixture.verify().problems
        #expect(changed.count == 1)
        #expect(changed.first?.contains("was changed after it was written") == true)
        try fixture.store.tamper("DELETE FROM ledger WHERE seq = 3")
        #expect(try fixture.verify().problems.contains { $0.contains("ledger entries 3–3 are missing") })
    }

    @Test("a removed notice folder, and a folder no run recorded, are reported", arguments: StoreKind.all)
    func folders(_ kind: StoreKind) throws {
        let fixture = try recordedFixture(kind)
        defer { fixture.cleanUp() }
        let folder = fixture.noticesRoot + "/2026-06-29"
        _ = Process.run("/bin/chmod", ["-R", "u+w", folder])
        try FileManager.default.moveItem(atPath: folder, toPath: fixture.noticesRoot + "/2026-07-05")
        let problems = try fixture.verify().problems
        #expect(problems.contains("notice folder 2026-06-29 was removed"))
        #expect(problems.contains("notice folder 2026-07-05 is not in the ledger: added after the fact, or left by a run that did not finish"))
    }
}

/// Runs SQL on a register file with the sqlite3 library through GRDB-free means: the
/// `sqlite3` command-line tool, as someone tampering would.
func sqlite(_ path: String, _ sql: String) throws {
    let status = Process.run("/usr/bin/sqlite3", [path, sql])
    #expect(status == 0, "sqlite3 failed: \(sql)")
}

extension Process {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
