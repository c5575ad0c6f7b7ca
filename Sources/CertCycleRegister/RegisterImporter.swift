public import CertCycleCore
import CertCycleCSV
import Foundation

/// `certcycle import DIR`: reads the register's CSV files, checks every row of every file,
/// and upserts them all in one transaction, or changes nothing and reports every problem.
public struct RegisterImporter {
    public let register: any Register
    /// Rows read so far, per file (a terminal shows it).
    public var progress: WorkProgress = .none

    public init(register: any Register) {
        self.register = register
    }

    /// Imports the folder. Throws `ImportFailure` (bad data: nothing changed) or the store's error.
    public func importDirectory(_ directory: String) throws -> ImportReport {
        let url = URL(fileURLWithPath: directory)
        var diagnostics: [ImportDiagnostic] = []
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        guard !present.isEmpty || FileManager.default.fileExists(atPath: directory) else {
            throw ImportFailure(diagnostics: [ImportDiagnostic(file: directory, line: nil, column: nil, "folder does not exist")])
        }
        let known = Set(RegisterTable.allCases.map(\.fileName))
        for name in present.sorted() where name.lowercased().hasSuffix(".csv") && !known.contains(name) {
            diagnostics.append(ImportDiagnostic(file: name, line: nil, column: nil,
                                                "not a register file (expected: \(RegisterTable.allCases.map(\.fileName).joined(separator: ", ")))"))
        }
        return try register.write { writer in
            var session = ImportSession(writer: writer, diagnostics: diagnostics)
            session.progress = progress
            for table in RegisterTable.allCases {
                guard present.contains(table.fileName) else {
                    if table.isRequiredFile {
                        session.report(table.fileName, nil, nil, "file is missing (organizations.csv, certificates.csv and audits.csv must exist)")
                    }
                    continue
                }
                try session.importFile(table, path: url.appendingPathComponent(table.fileName).path)
            }
            guard session.diagnostics.isEmpty else { throw ImportFailure(diagnostics: session.diagnostics) }
            return session.report
        }
    }
}

/// The state of one import: ids seen so far (for uniqueness and references) and diagnostics.
///
/// Files are read a piece at a time (`CSVFileReader`) and checked on a thread of their own
/// (`ImportPipeline`), each row written as soon as it is checked, so that an import of millions
/// of rows holds a few megabytes of text, and ids in compact arrays (`FileIds`, `SortedIds`)
/// rather than dictionaries.
struct ImportSession {
    let writer: any RegisterWriter
    var diagnostics: [ImportDiagnostic]
    var report = ImportReport()
    /// Every id of every file read so far that other files refer to, bad rows included, so that
    /// one bad row does not make every row that refers to it bad as well.
    var ids: [RegisterTable: SortedIds] = [:]
    var progress: WorkProgress = .none
    /// The tables some column refers to: only their ids are kept once their file is read.
    static let referenced: Set<RegisterTable> = Set(RegisterTable.allCases.flatMap { table in
        table.columns.compactMap { column -> RegisterTable? in
            if case .reference(let target) = column.kind { return target }
            return nil
        }
    })

    init(writer: any RegisterWriter, diagnostics: [ImportDiagnostic]) {
        self.writer = writer
        self.diagnostics = diagnostics
    }

    mutating func report(_ file: String, _ line: Int?, _ column: String?, _ message: String) {
        diagnostics.append(ImportDiagnostic(file: file, line: line, column: column, message))
    }

    mutating func importFile(_ table: RegisterTable, path: String) throws {
        let file = table.fileName
        let records: CSVFileReader
        do {
            guard let reader = try CSVFileReader(path: path) else { return report(file, nil, nil, "cannot be read") }
            records = reader
        } catch {
            return report(file, error.line, nil, error.message)
        }
        let encoding = records.encoding
        let header: CSVRecord
        do {
            guard let first = try records.next() else { return report(file, 1, nil, "is empty: a header row is required") }
            header = first
        } catch {
            return report(file, error.line, nil, error.message)
        }
        guard let layout = headerLayout(table, header) else { return }
        var seen = FileIds()
        var rows = 0
        let columns = layout.compactMap { $0 }
        let label = "importing \(file)"
        // Rows are read and checked on another thread, and written here in file order.
        let pipeline = ImportPipeline(records: records, checker: RowChecker(table: table, layout: layout, ids: ids))
        defer { pipeline.cancel() }
        while let batch = pipeline.next() {
            for item in batch {
                switch item {
                case .broken(let diagnostic):
                    // The rest of the file cannot be split into rows reliably.
                    diagnostics.append(diagnostic)
                case .row(let row):
                    rows += 1
                    progress(label, rows)
                    try take(row, table, seen: &seen, columns: columns)
                }
            }
        }
        // Duplicate ids are found once the file is read, and reported where the row-by-row
        // check put them (a row written before its duplicate was known is rolled back with the
        // rest: any diagnostic fails the import).
        let (duplicates, kept) = seen.finish(keep: Self.referenced.contains(table))
        if !duplicates.isEmpty {
            var merged: [ImportDiagnostic] = []
            merged.reserveCapacity(diagnostics.count + duplicates.count)
            var next = 0
            for duplicate in duplicates {
                while next < duplicate.position { merged.append(diagnostics[next]); next += 1 }
                merged.append(ImportDiagnostic(file: file, line: duplicate.line, column: table.idColumn,
                                               "duplicate id '\(duplicate.id)' (first on line \(duplicate.first))"))
            }
            merged.append(contentsOf: diagnostics[next...])
            diagnostics = merged
        }
        if let kept { ids[table] = kept }
        report.files.append(.init(table: table, rows: rows, encoding: encoding.rawValue))
    }

    /// Maps header cells to the table's columns (nil for an unknown column, which is reported
    /// and then ignored so the rows can still be checked); nil when the header is unusable.
    mutating func headerLayout(_ table: RegisterTable, _ header: CSVRecord) -> [Int?]? {
        let file = table.fileName
        var layout: [Int?] = []
        var ok = true
        for (position, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let index = table.columns.firstIndex(where: { $0.name == name }) else {
                report(file, header.line, name.isEmpty ? "\(position + 1)" : name,
                       "unknown column (known: \(table.columns.map(\.name).joined(separator: ", ")))")
                layout.append(nil)
                continue
            }
            if layout.contains(index) {
                report(file, header.line, name, "appears twice in the header")
                ok = false
            }
            layout.append(index)
        }
        for (index, column) in table.columns.enumerated() where column.required && !layout.contains(index) {
            report(file, header.line, column.name, "required column is missing from the header")
            ok = false
        }
        return ok ? layout : nil
    }

    /// Records a checked row's problems where the row-by-row check puts them, asks the register
    /// about the references the files did not resolve, and writes the row while all is well.
    mutating func take(_ row: CheckedRow, _ table: RegisterTable, seen: inout FileIds, columns: [Int]) throws {
        diagnostics += row.problems[..<row.idPosition]
        if let id = row.id { seen.append(id, line: row.line, position: diagnostics.count) }
        diagnostics += row.problems[row.idPosition...]
        for reference in row.unresolved where !((try? writer.exists(reference.target, id: reference.id)) ?? false) {
            report(table.fileName, row.line, reference.column,
                   "\(reference.target.idColumn) '\(reference.id)' does not exist in \(reference.target.fileName) or the register")
        }
        if let values = row.values, diagnostics.isEmpty {
            try writer.upsert(table, columns: columns, values: values)
        }
    }
}
