public import CertCycleCore
import CertCycleRegister
import Foundation
import GRDB
import PostgresNIO

/// One side of `certcycle migrate-store`: a register seen as its tables.
public enum TransferStore {
    /// The embedded register's file (created, with its schema, when it is the target and missing).
    case sqlite(path: String)
    case postgres(PostgresRegister)

    var name: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let register): register.url.display
        }
    }
}

/// The source or target cannot be used as given: nothing was changed.
public struct TransferRefused: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Copies a whole register from one store to another: every register table, the ledger (entries
/// verbatim, so its hash chain verifies on the target), and the outbox (events, deliveries with
/// their state, attempts, endpoints). The target must be empty; everything is written in one
/// transaction, so it ends up with all of it or (on any failure) nothing.
///
/// It works on the tables themselves, not through `Register`: the protocol has no way to write
/// a delivery's state or an attempt inside a transaction, and need not have one for this. Each
/// side's columns are checked against the list below first, so a schema this code does not know
/// (a newer certcycle's) is refused rather than copied in part.
public enum RegisterTransfer {
    /// A copied table: its columns (with the kind that decides how a value is stored) and the
    /// order rows are read in.
    struct Table {
        var name: String
        var columns: [(name: String, kind: RegisterColumn.Kind)]
        var order: String
    }

    /// Every table, in an order that satisfies the references between them (deliveries refer to
    /// events).
    static let tables: [Table] = RegisterTable.allCases.map { table in
        Table(name: table.rawValue, columns: table.columns.map { ($0.name, $0.kind) }, order: table.idColumn)
    } + [
        Table(name: "ledger", columns: [("seq", .count), ("as_of", .date), ("kind", .text), ("key", .text), ("payload", .text),
                                        ("previous_hash", .text), ("hash", .text)], order: "seq"),
        Table(name: "events", columns: [("event_id", .text), ("cert_no", .text), ("type", .text), ("effective_on", .date), ("body", .text),
                                        ("created_at", .score)], order: "event_id"),
        Table(name: "deliveries", columns: [("seq", .count), ("endpoint", .text), ("event_id", .text), ("cert_no", .text), ("status", .text),
                                            ("attempts", .count), ("next_attempt_at", .score), ("claimed_until", .score),
                                            ("last_status_code", .count), ("last_error", .text), ("delivered_at", .score)], order: "seq"),
        Table(name: "delivery_attempts", columns: [("endpoint", .text), ("event_id", .text), ("attempt", .count), ("at", .score),
                                                   ("status_code", .count), ("error", .text), ("milliseconds", .count)],
              order: "endpoint, event_id, attempt"),
        Table(name: "endpoints", columns: [("name", .text), ("synced_at", .score), ("disabled_at", .score), ("disabled_reason", .text)],
              order: "name"),
    ]

    /// Copies `source` into the empty `target`; returns the rows copied per table, in copy order.
    public static func copy(from source: TransferStore, to target: TransferStore,
                            progress: WorkProgress = .none) throws -> [(table: String, rows: Int)] {
        if source.name == target.name {
            throw TransferRefused("the source and the target are the same register (\(source.name))")
        }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw TransferRefused("there is no register at \(path) to copy")
        }
        let reader = try makeSide(source, creating: false)
        let writer = try makeSide(target, creating: true)
        try reader.checkColumns()
        try writer.checkColumns()
        let counts = try writer.counts()
        let filled = counts.filter { $0.rows > 0 }
        guard filled.isEmpty else {
            throw TransferRefused("the target register \(target.name) is not empty (\(filled.map { "\($0.table): \($0.rows) rows" }.joined(separator: ", "))): migrate-store only copies into an empty register; give a new database or file")
        }
        return try writer.load { sink in
            try reader.read { table, rows in
                try withoutActuallyEscaping(rows) { rows in
                    var count = 0
                    try sink(table) { each in
                        try withoutActuallyEscaping(each) { each in
                            try rows { values in
                                try each(values)
                                count += 1
                                progress("copying \(table.name)", count)
                            }
                        }
                    }
                }
            }
        }
    }

    static func makeSide(_ store: TransferStore, creating: Bool) throws -> any TransferSide {
        switch store {
        case .sqlite(let path):
            // Opening it through the store creates it (the target only) or brings its schema up to date.
            _ = try SQLiteRegister(path: path, mode: creating ? .create : .existing)
            return try SQLiteSide(path: path)
        case .postgres(let register):
            return PostgresSide(register: register)
        }
    }
}

/// Hands a table's rows, in order, to a callback.
typealias RowSource = (([CellValue?]) throws -> Void) throws -> Void
/// Takes a table and its rows.
typealias TableSink = (RegisterTransfer.Table, RowSource) throws -> Void

/// What a store offers a transfer.
protocol TransferSide {
    /// Refuses a table whose columns are not those of `RegisterTransfer.tables`.
    func checkColumns() throws
    func counts() throws -> [(table: String, rows: Int)]
    /// Calls `body` with each table and its rows.
    func read(_ body: TableSink) throws
    /// Runs `body` in one write transaction with a sink that writes each table it is given;
    /// returns the rows written per table.
    func load(_ body: (TableSink) throws -> Void) throws -> [(table: String, rows: Int)]
}

extension TransferSide {
    static func refuseUnknown(_ table: RegisterTransfer.Table, have: [String], store: String) throws {
        let expected = Set(table.columns.map(\.name))
        let actual = Set(have)
        guard expected == actual else {
            let extra = actual.subtracting(expected).sorted()
            let missing = expected.subtracting(actual).sorted()
            throw TransferRefused("table \(table.name) of \(store) has \(extra.isEmpty ? "" : "columns this certcycle does not know (\(extra.joined(separator: ", ")))")\(extra.isEmpty || missing.isEmpty ? "" : " and ")\(missing.isEmpty ? "" : "no columns \(missing.joined(separator: ", "))"): use the certcycle that made it")
        }
    }
}

// MARK: SQLite

struct SQLiteSide: TransferSide {
    let path: String
    let queue: DatabaseQueue

    init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func checkColumns() throws {
        try queue.read { db in
            for table in RegisterTransfer.tables {
                let names = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table.name]).map { $0[0] as String }
                try Self.refuseUnknown(table, have: names, store: "sqlite:\(path)")
            }
        }
    }

    func counts() throws -> [(table: String, rows: Int)] {
        try queue.read { db in
            try RegisterTransfer.tables.map { ($0.name, try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0.name)") ?? 0) }
        }
    }

    func read(_ body: TableSink) throws {
        try queue.read { db in
            for table in RegisterTransfer.tables {
                try body(table) { each in
                    let rows = try Row.fetchCursor(db, sql: "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order)")
                    while let row = try rows.next() {
                        try each(table.columns.indices.map { Self.value(row[$0] as DatabaseValue, kind: table.columns[$0].kind) })
                    }
                }
            }
        }
    }

    func load(_ body: (TableSink) throws -> Void) throws -> [(table: String, rows: Int)] {
        try queue.write { db in
            var written: [(table: String, rows: Int)] = []
            try body { table, rows in
                let names = table.columns.map(\.name)
                let statement = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))")
                var count = 0
                try rows { values in
                    try statement.execute(arguments: StatementArguments(values.map(Self.databaseValue)))
                    count += 1
                }
                written.append((table.name, count))
            }
            return written
        }
    }

    /// As the SQLite store reads a cell: by its storage, dates parsed where the column is a date.
    static func value(_ value: DatabaseValue, kind: RegisterColumn.Kind) -> CellValue? {
        switch value.storage {
        case .null: return nil
        case .int64(let i):
            switch kind {
            case .score, .manDays: return .real(Double(i))
            default: return .integer(Int(i))
            }
        case .double(let d): return .real(d)
        case .string(let s):
            if case .date = kind, let date = CivilDate(parsing: s) { return .date(date) }
            return .text(s)
        case .blob(let data): return .text(String(decoding: data, as: UTF8.self))
        }
    }

    /// As the SQLite store writes a cell: dates as `YYYY-MM-DD` text.
    static func databaseValue(_ value: CellValue?) -> DatabaseValue {
        switch value {
        case nil: .null
        case .text(let s)?: s.databaseValue
        case .integer(let i)?: i.databaseValue
        case .real(let d)?: d.databaseValue
        case .date(let d)?: d.description.databaseValue
        }
    }
}

// MARK: PostgreSQL

struct PostgresSide: TransferSide {
    let register: PostgresRegister

    func checkColumns() throws {
        try register.withSession { session in
            for table in RegisterTransfer.tables {
                var binds = PostgresBindings()
                binds.append(table.name)
                let names = try session.query("""
                    SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
                    """, binds, doing: "reading the schema").rows.map { row in
                    var r = CellReader(row)
                    return r.requiredText()
                }
                try Self.refuseUnknown(table, have: names, store: register.url.display)
            }
        }
    }

    func counts() throws -> [(table: String, rows: Int)] {
        try register.withSession { session in
            try RegisterTransfer.tables.map { table in
                var r = CellReader(try session.query("SELECT count(*) FROM \(table.name)", doing: "counting \(table.name)").rows[0])
                return (table.name, r.int() ?? 0)
            }
        }
    }

    func read(_ body: TableSink) throws {
        try register.reading("reading the register to copy it") { session in
            for table in RegisterTransfer.tables {
                try body(table) { each in
                    let cursor = ChunkedCursor(session: session, name: "copy_\(table.name)",
                                               sql: "SELECT ROW(\(table.columns.map(\.name).joined(separator: ", "))) FROM \(table.name) ORDER BY \(table.order)",
                                               doing: "reading \(table.name)")
                    while let row = try cursor.next() {
                        var cells = CellReader(record: row)
                        try each(table.columns.map { cells.value(kind: $0.kind) })
                    }
                    try cursor.close()
                }
            }
        }
    }

    func load(_ body: (TableSink) throws -> Void) throws -> [(table: String, rows: Int)] {
        try register.transaction("BEGIN", doing: "copying into the register") { session in
            var written: [(table: String, rows: Int)] = []
            let pipeline = StatementPipeline(session: session)
            do {
                try body { table, rows in
                    var batch = PostgresBindings()
                    var batchRows = 0
                    var count = 0
                    func send() throws {
                        guard batchRows > 0 else { return }
                        var n = 0
                        let tuples = (0..<batchRows).map { _ in "(" + table.columns.map { _ in n += 1; return "$\(n)" }.joined(separator: ", ") + ")" }
                        try pipeline.send("INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))",
                                          batch, doing: "copying \(table.name)")
                        batch = PostgresBindings()
                        batchRows = 0
                    }
                    try rows { values in
                        for (value, column) in zip(values, table.columns) { batch.append(value, kind: column.kind) }
                        batchRows += 1
                        count += 1
                        if batchRows >= 1_000 || batch.count + table.columns.count > 30_000 { try send() }
                    }
                    try send()
                    written.append((table.name, count))
                }
                // Deliveries were copied with their seq: new ones continue after the last.
                try pipeline.send("SELECT setval(pg_get_serial_sequence('deliveries', 'seq'), coalesce(max(seq), 0) + 1, false) FROM deliveries",
                                  PostgresBindings(), doing: "continuing the deliveries' numbering")
                try pipeline.finish()
            } catch {
                pipeline.abandon()
                throw error
            }
            return written
        }
    }
}

/// Statements sent without waiting, a few in flight at a time; the first failure is reported.
final class StatementPipeline {
    private let session: PostgresSession
    private var inFlight: [(future: EventLoopFuture<PostgresQueryResult>, what: String)] = []

    init(session: PostgresSession) {
        self.session = session
    }

    func send(_ sql: String, _ binds: PostgresBindings, doing what: String) throws {
        inFlight.append((session.send(sql, binds), what))
        if inFlight.count > 8 {
            let oldest = inFlight.removeFirst()
            _ = try session.wait(oldest.future, doing: oldest.what)
        }
    }

    func finish() throws {
        while !inFlight.isEmpty {
            let oldest = inFlight.removeFirst()
            _ = try session.wait(oldest.future, doing: oldest.what)
        }
    }

    func abandon() {
        for statement in inFlight { _ = try? statement.future.wait() }
        inFlight = []
    }
}
