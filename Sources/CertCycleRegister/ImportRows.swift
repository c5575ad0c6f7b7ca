import CertCycleCSV
import Foundation

/// One row of a register file as `RowChecker` leaves it: its values when every cell and every
/// check that needs no database passed, and its problems in the order they are reported.
struct CheckedRow: Sendable {
    var line: Int
    /// Aligned to the table's columns; nil when the row cannot be written.
    var values: [CellValue?]?
    /// The row's id, for the file's duplicate check.
    var id: String?
    var problems: [ImportDiagnostic] = []
    /// How many of `problems` come before the id was noted (its cells' problems): a duplicate's
    /// diagnostic is reported at that place.
    var idPosition = 0
    /// References to ids not among the files read before: the writer asks the register.
    var unresolved: [(column: String, target: RegisterTable, id: String)] = []
}

/// Parses and checks the rows of one file against its header layout and the ids of the files
/// read before it. Needs no database, so that it runs beside the writer (`ImportPipeline`).
struct RowChecker: Sendable {
    let table: RegisterTable
    /// For each header cell, the table's column it is (nil: an unknown column, ignored).
    let layout: [Int?]
    /// The ids of the files read before, for references.
    let ids: [RegisterTable: SortedIds]

    func check(_ record: CSVRecord) -> CheckedRow {
        let file = table.fileName
        let line = record.line
        var row = CheckedRow(line: line)
        func report(_ column: String?, _ message: String) {
            row.problems.append(ImportDiagnostic(file: file, line: line, column: column, message))
        }
        guard record.fields.count == layout.count else {
            report(nil, "has \(record.fields.count) cells but the header has \(layout.count)")
            return row
        }
        let columns = table.columns
        var values = [CellValue?](repeating: nil, count: columns.count)
        var failed: Set<String> = []
        for (position, index) in layout.enumerated() {
            guard let index else { continue }
            let column = columns[index]
            if let problem = CellParser.controlCharacterProblem(record.fields[position]) {
                report(column.name, problem)
                failed.insert(column.name)
                continue
            }
            let cell = CellParser.trimmed(record.fields[position])
            if cell.isEmpty {
                if column.required { report(column.name, "is required") }
                continue
            }
            switch CellParser.parse(cell, as: column.kind) {
            case .success(let value): values[index] = value
            case .failure(let problem):
                report(column.name, problem.message)
                failed.insert(column.name)
            }
        }
        if case .text(let id)? = values[0] {
            row.id = id
            row.idPosition = row.problems.count
        }
        // A cell that could not be read is reported once, not again by the row's checks.
        for problem in RowRules.check(table, values) where !failed.contains(problem.column) {
            report(problem.column, problem.message)
        }
        for (index, column) in columns.enumerated() {
            guard case .reference(let target) = column.kind, case .text(let id)? = values[index] else { continue }
            if ids[target]?.contains(id) != true { row.unresolved.append((column.name, target, id)) }
        }
        if row.problems.isEmpty { row.values = values }
        return row
    }
}

/// Reads and checks a file's rows on a thread of its own while the caller writes them, a few
/// batches ahead at most: on a two-core server the parsing and SQLite's work then overlap, and
/// the rows in flight stay a few thousand. The caller gets the rows in file order.
final class ImportPipeline: @unchecked Sendable {
    enum Item: Sendable {
        case row(CheckedRow)
        /// The file cannot be split into rows from here on.
        case broken(ImportDiagnostic)
    }

    private let condition = NSCondition()
    private var batches: [[Item]] = []
    private var finished = false
    private var cancelled = false
    private static let batchSize = 512
    private static let batchesAhead = 8

    /// Starts checking `records` (owned by the pipeline from now on) with `checker`. The caller
    /// must `cancel()` it if it stops reading before the end.
    init(records: CSVFileReader, checker: RowChecker) {
        let source = UncheckedReader(records)
        Thread.detachNewThread { [self] in
            self.produce(source.reader, checker)
        }
    }

    private func produce(_ records: CSVFileReader, _ checker: RowChecker) {
        var batch: [Item] = []
        batch.reserveCapacity(Self.batchSize)
        while true {
            let item: Item
            do {
                guard let record = try records.next() else { break }
                item = .row(checker.check(record))
            } catch {
                item = .broken(ImportDiagnostic(file: checker.table.fileName, line: error.line, column: nil, error.message))
            }
            batch.append(item)
            if case .broken = item { break }
            if batch.count == Self.batchSize {
                guard send(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = send(batch) }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits while the caller is `batchesAhead` behind; false once it has stopped listening.
    private func send(_ batch: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.batchesAhead && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch of rows in file order; nil once the file is done.
    func next() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }

    /// Stops the checking thread (the caller gave up on the file, e.g. the store failed).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The reader handed to the checking thread, which alone uses it from then on.
    private struct UncheckedReader: @unchecked Sendable {
        let reader: CSVFileReader
        init(_ reader: CSVFileReader) { self.reader = reader }
    }
}
