public import CertCycleConfig
public import CertCycleCore
import CertCycleCSV
import CertCycleNotices
public import CertCycleRegister
import Crypto
import Foundation
import ZIPFoundation

/// How a generated monthly report is recorded in the ledger: kind `report`, key
/// `monthly:2026-11#N` (N counts the reports on that month, from 1). The first one fulfils the
/// month's `regulator_report` obligation from its as-of date.
public enum MonthlyReportRecord {
    public static func key(_ month: ReportMonth, number: Int) -> String { "monthly:\(month)#\(number)" }
    public static func firstKey(_ month: ReportMonth) -> String { key(month, number: 1) }
}

/// `certcycle report monthly --month YYYY-MM`: the register read once, certificate by certificate,
/// into the four sheets of `Jobs/reports/monthly.toml`; written as one `.xlsx` workbook and one CSV
/// per sheet (UTF-8 with BOM, formula-safe), first into a temporary folder, then moved into place;
/// then recorded in the ledger under the run lock. Rows go to files as they are made, so memory
/// stays flat whatever the register's size.
public struct MonthlyReportWriter {
    public let register: any Register
    public let jobs: Jobs
    public let layout: ReportLayout
    public let holder: String

    /// The reports' folder under the notices root.
    public static let reportsFolder = "reports"

    public init(register: any Register, jobs: Jobs, layout: ReportLayout, holder: String) {
        self.register = register
        self.jobs = jobs
        self.layout = layout
        self.holder = holder
    }

    public struct Result: Sendable {
        /// The folder the files are in.
        public var folder: String
        /// File names in the folder: the workbook first, then the CSVs in sheet order.
        public var files: [String]
        public var counts: ReportCounts
        public var ledgerKey: String
    }

    /// Writes the report on `month` as generated on `generatedOn`, into `outDirectory` (files
    /// moved in, replacing ones of the same name) or, when nil, into a new folder
    /// `NOTICES/reports/2026-11[-N]/` that earlier reports never share.
    public func write(month: ReportMonth, generatedOn: CivilDate, notices: NoticeFolderWriter, outDirectory: String?) throws -> Result {
        guard generatedOn > month.last else {
            throw RunnerError(.usage, "the report on \(month) can be made from \(month.next.first) on, once the month has ended (the as-of date is \(generatedOn))")
        }
        let lock = try runLock(register, holder: holder)
        defer { lock.release() }

        let (number, key) = try nextNumber(month)

        let fm = FileManager.default
        let root = outDirectory ?? notices.root + "/" + Self.reportsFolder
        let folderName = number == 1 ? month.description : "\(month)-\(number)"
        let folder = outDirectory ?? root + "/" + folderName
        // The ledger names a folder under the notices root relatively, so `ledger verify` checks it.
        let recordedFolder = outDirectory ?? Self.reportsFolder + "/" + folderName
        if outDirectory == nil, fm.fileExists(atPath: folder) {
            // Left by a report whose ledger record was rolled back or never written: keep it for inspection.
            try fm.moveItem(atPath: folder, toPath: folder + "-unrecorded-\(Int(Date().timeIntervalSince1970))")
        }
        do {
            try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw RunnerError(.unwritable, "the report folder \(root) cannot be created: \(error.localizedDescription)")
        }
        let temporary = try temporaryFolder(in: root, month: month)
        defer { try? fm.removeItem(atPath: temporary) }

        let base = layout.fileName(for: month)
        let (counts, sheetRows) = try writeSheets(month: month, into: temporary, base: base)
        let workbook = base + ".xlsx"
        try zipWorkbook(into: temporary + "/" + workbook, sheetsIn: temporary, rows: sheetRows, month: month, generatedOn: generatedOn)
        let files = [workbook] + layout.sheets.map { csvName(base, $0) }

        var hashes: [(String, String)] = []
        for name in files { hashes.append((name, try Self.sha256(ofFile: temporary + "/" + name))) }
        try place(files, from: temporary, into: folder, newFolder: outDirectory == nil)

        let payload = Self.payload(month: month, folder: recordedFolder, files: hashes, counts: counts)
        try register.write { ledger in
            var chain = LedgerChain(after: try ledger.lastLedgerEntry(kind: nil))
            try ledger.append(chain.append(asOf: generatedOn, kind: .report, key: key, payload: payload))
        }
        return Result(folder: folder, files: files, counts: counts, ledgerKey: key)
    }

    /// The report's number among those on `month` (a second one is `#2`) and its ledger key.
    private func nextNumber(_ month: ReportMonth) throws -> (Int, String) {
        let keys = (1...99).map { MonthlyReportRecord.key(month, number: $0) }
        let used = try register.ledgerKeys(kind: .report, among: keys)
        guard let number = (1...99).first(where: { !used.contains(keys[$0 - 1]) }) else {
            throw RunnerError(.input, "99 reports on \(month) have been made already")
        }
        return (number, keys[number - 1])
    }

    /// A new empty folder beside the reports, where the files are written before they are moved in.
    private func temporaryFolder(in root: String, month: ReportMonth) throws -> String {
        let temporary = root + "/.tmp-report-\(month)-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw RunnerError(.unwritable, "the report folder \(root) is not writable: \(error.localizedDescription)")
        }
        return temporary
    }

    /// Moves the finished files in: a new folder all at once (one rename), or into an existing
    /// one (`--out`) file by file, each replacing one of the same name.
    private func place(_ files: [String], from temporary: String, into folder: String, newFolder: Bool) throws {
        let fm = FileManager.default
        if newFolder {
            try fm.createDirectory(atPath: temporary + "/.out", withIntermediateDirectories: false)
            for name in files { try fm.moveItem(atPath: temporary + "/" + name, toPath: temporary + "/.out/" + name) }
            try fm.moveItem(atPath: temporary + "/.out", toPath: folder)
        } else {
            for name in files {
                if rename(temporary + "/" + name, folder + "/" + name) != 0 {
                    throw RunnerError(.unwritable, "cannot move the report into \(folder): \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    private func csvName(_ base: String, _ sheet: ReportLayout.Sheet) -> String { "\(base)-\(sheet.name).csv" }

    /// Streams the register into each sheet's worksheet XML (`sheetN.xml`) and CSV; returns the
    /// counts and each sheet's row count.
    private func writeSheets(month: ReportMonth, into folder: String, base: String) throws -> (ReportCounts, [ReportSheet: Int]) {
        var xml: [ReportSheet: BufferedFile] = [:]
        var csv: [ReportSheet: CSVFileWriter] = [:]
        var rows: [ReportSheet: Int] = [:]
        var columns: [ReportSheet: [String]] = [:]
        for (index, sheet) in layout.sheets.enumerated() {
            let file = try BufferedFile(path: folder + "/sheet\(index + 1).xml")
            file.write(SpreadsheetML.sheetHead(titles: sheet.columns.map(\.title)))
            xml[sheet.id] = file
            do {
                let writer = try CSVFileWriter(path: folder + "/" + csvName(base, sheet), bom: true)
                try writer.write(sheet.columns.map { SpreadsheetSafety.neutralized($0.title) })
                csv[sheet.id] = writer
            } catch {
                throw RunnerError(.unwritable, error.message)
            }
            columns[sheet.id] = sheet.columns.map(\.field)
            rows[sheet.id] = 0
        }
        func emit(_ sheet: ReportSheet, _ row: ReportRow) throws {
            let values = columns[sheet]!.map { row[$0] }
            let n = rows[sheet]! + 1
            rows[sheet] = n
            xml[sheet]!.write(SpreadsheetML.row(values, number: n + 1))
            do { try csv[sheet]!.write(values.map(Self.csvText)) } catch { throw RunnerError(.unwritable, error.message) }
        }

        var report = MonthlyReport(month: month, settings: jobs.settings)
        try register.forEachCertificate { file in
            try report.add(CertificateHistory(file), emit: emit)
        }
        // The organisations concerned, in id order, read from the register a thousand at a time.
        let ids = report.organizations.keys.sorted()
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 1000, ids.count)]
            start += chunk.count
            let found = try register.organizations(Set(chunk))
            for id in chunk {
                report.countOrganization()
                try emit(.organizations, MonthlyReport.organizationRow(id: id, organization: found[id], certificates: report.organizations[id] ?? []))
            }
        }
        for sheet in layout.sheets {
            xml[sheet.id]!.write(SpreadsheetML.sheetTail(rows: rows[sheet.id]!, columns: sheet.columns.count))
            try xml[sheet.id]!.close()
            do { try csv[sheet.id]!.close() } catch { throw RunnerError(.unwritable, error.message) }
        }
        return (report.counts, rows)
    }

    /// A cell as CSV text for Excel: numbers as written in the workbook, text neutralised so
    /// that a spreadsheet never runs it as a formula.
    static func csvText(_ value: ReportValue) -> String {
        switch value {
        case .empty: ""
        case .number(let n): SpreadsheetML.number(n)
        case .text(let t): SpreadsheetSafety.neutralized(t)
        }
    }

    /// The `.xlsx` zip: fixed parts in memory, worksheets streamed from their files; every entry
    /// dated the generation day, so the same report is the same bytes.
    private func zipWorkbook(into path: String, sheetsIn folder: String, rows: [ReportSheet: Int], month: ReportMonth, generatedOn: CivilDate) throws {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        } catch {
            throw RunnerError(.unwritable, "cannot create \(path): \(error)")
        }
        let (y, m, d) = generatedOn.parts
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour) = (y, m, d, 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let stamp = calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
        let title = "\(jobs.runner.bodyName) \(month.chineseName)认证数据报送"
        let entries = layout.sheets.map { SpreadsheetML.SheetEntry(name: $0.name, columns: $0.columns.count, rows: rows[$0.id] ?? 0) }
        let parts: [(String, String)] = [
            ("[Content_Types].xml", SpreadsheetML.contentTypes(sheets: layout.sheets.count)),
            ("_rels/.rels", SpreadsheetML.rootRelationships),
            ("docProps/core.xml", SpreadsheetML.coreProperties(title: title, creator: jobs.runner.bodyName, created: "\(generatedOn)T00:00:00Z")),
            ("docProps/app.xml", SpreadsheetML.appProperties),
            ("xl/workbook.xml", SpreadsheetML.workbook(entries)),
            ("xl/_rels/workbook.xml.rels", SpreadsheetML.workbookRelationships(sheets: layout.sheets.count)),
            ("xl/styles.xml", SpreadsheetML.styles),
        ]
        do {
            for (name, text) in parts {
                let data = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: stamp,
                                     compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            for index in layout.sheets.indices {
                let sheetPath = folder + "/sheet\(index + 1).xml"
                let size = try FileManager.default.attributesOfItem(atPath: sheetPath)[.size] as? Int64 ?? 0
                let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: sheetPath))
                defer { try? handle.close() }
                try archive.addEntry(with: "xl/worksheets/sheet\(index + 1).xml", type: .file, uncompressedSize: size, modificationDate: stamp,
                                     compressionMethod: .deflate) { position, chunk in
                    try handle.seek(toOffset: UInt64(position))
                    return try handle.read(upToCount: chunk) ?? Data()
                }
                try FileManager.default.removeItem(atPath: sheetPath)
            }
        } catch let error as RunnerError {
            throw error
        } catch {
            throw RunnerError(.unwritable, "cannot write \(path): \(error)")
        }
    }

    static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RunnerError(.unwritable, "cannot read back \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return LedgerChain.hex(hasher.finalize())
    }

    static func payload(month: ReportMonth, folder: String, files: [(String, String)], counts: ReportCounts) -> String {
        var text = "{\"report\":\"monthly\",\"month\":\(JSONLine.quote(month.description)),\"folder\":\(JSONLine.quote(folder)),\"files\":["
        text += files.map { "{\"path\":\(JSONLine.quote($0.0)),\"sha256\":\(JSONLine.quote($0.1))}" }.joined(separator: ",")
        text += "],\"counts\":{\"certificates\":\(counts.certificates),\"issued\":\(counts.issued),\"renewed\":\(counts.renewed)"
        text += ",\"status_changes\":\(counts.statusChanges),\"audits\":\(counts.audits),\"organizations\":\(counts.organizations)}}"
        return text
    }
}

/// Text appended to a file through a 1 MiB buffer.
final class BufferedFile {
    private let path: String
    private let handle: FileHandle
    private var buffer = Data()

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw RunnerError(.unwritable, "cannot create \(path)")
        }
        self.path = path
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    private var failure: (any Error)?

    private func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { failure = error }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        try? handle.close()
        if let failure { throw RunnerError(.unwritable, "cannot write \(path): \(failure)") }
    }
}
