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
struct ImportSession {
    let writer: any RegisterWriter
    var diagnostics: [ImportDiagnostic]
    var report = ImportReport()
    /// Every id of every file read so far, bad rows included, so that one bad row does not
    /// make every row that refers to it bad as well.
    var ids: [RegisterTable: [String: Int]] = [:]
    var progress: WorkProgress = .none

    init(writer: any RegisterWriter, diagnostics: [ImportDiagnostic]) {
        self.writer = writer
        self.diagnostics = diagnostics
    }

    mutating func report(_ file: String, _ line: Int?, _ column: String?, _ message: String) {
        diagnostics.append(ImportDiagnostic(file: file, line: line, column: column, message))
    }

    mutating func importFile(_ table: RegisterTable, path: String) throws {
        let file = table.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            return report(file, nil, nil, "cannot be read")
        }
        let text: String
        let encoding: CSVEncoding
        do {
            (text, encoding) = try decodeCSVText(data)
        } catch {
            return report(file, error.line, nil, error.message)
        }
        var records = CSVReader(text: text).makeIterator()
        let header: CSVRecord
        do {
            guard let first = try records.next() else { return report(file, 1, nil, "is empty: a header row is required") }
            header = first
        } catch {
            return report(file, error.line, nil, error.message)
        }
        guard let layout = headerLayout(table, header) else { return }
        var seen: [String: Int] = [:]
        var rows = 0
        while true {
            let record: CSVRecord
            do {
                guard let next = try records.next() else { break }
                record = next
            } catch {
                // The rest of the file cannot be split into rows reliably.
                report(file, error.line, nil, error.message)
                break
            }
            rows += 1
            progress("importing \(file)", rows)
            if let values = checkRow(table, layout: layout, record: record, seen: &seen), diagnostics.isEmpty {
                try writer.upsert(table, columns: layout.compactMap { $0 }, values: values)
            }
        }
        ids[table] = seen
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

    /// Parses and checks one row; the values (aligned to the table's columns) when it is good.
    mutating func checkRow(_ table: RegisterTable, layout: [Int?], record: CSVRecord, seen: inout [String: Int]) -> [CellValue?]? {
        let file = table.fileName
        let line = record.line
        guard record.fields.count == layout.count else {
            report(file, line, nil, "has \(record.fields.count) cells but the header has \(layout.count)")
            return nil
        }
        let before = diagnostics.count
        var values = [CellValue?](repeating: nil, count: table.columns.count)
        var failed: Set<String> = []
        for (position, index) in layout.enumerated() {
            guard let index else { continue }
            let column = table.columns[index]
            if let problem = CellParser.controlCharacterProblem(record.fields[position]) {
                report(file, line, column.name, problem)
                failed.insert(column.name)
                continue
            }
            let cell = CellParser.trimmed(record.fields[position])
            if cell.isEmpty {
                if column.required { report(file, line, column.name, "is required") }
                continue
            }
            switch CellParser.parse(cell, as: column.kind) {
            case .success(let value): values[index] = value
            case .failure(let problem):
                report(file, line, column.name, problem.message)
                failed.insert(column.name)
            }
        }
        if case .text(let id)? = values[0] {
            if let first = seen[id] {
                report(file, line, table.idColumn, "duplicate id '\(id)' (first on line \(first))")
            } else {
                seen[id] = line
            }
        }
        // A cell that could not be read is reported once, not again by the row's checks.
        for problem in RowRules.check(table, values) where !failed.contains(problem.column) {
            report(file, line, problem.column, problem.message)
        }
        for (index, column) in table.columns.enumerated() {
            guard case .reference(let target) = column.kind, case .text(let id)? = values[index] else { continue }
            if !referenceExists(target, id) {
                report(file, line, column.name, "\(target.idColumn) '\(id)' does not exist in \(target.fileName) or the register")
            }
        }
        return diagnostics.count == before ? values : nil
    }

    func referenceExists(_ table: RegisterTable, _ id: String) -> Bool {
        if ids[table]?[id] != nil { return true }
        return (try? writer.exists(table, id: id)) ?? false
    }
}
