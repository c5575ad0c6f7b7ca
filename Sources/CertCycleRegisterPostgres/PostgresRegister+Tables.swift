public import CertCycleRegister
import PostgresNIO

/// The PostgreSQL register seen as `StoreCatalogue`'s tables, for `migrate-store`: read in one
/// snapshot through chunked cursors, written in one transaction as multi-row inserts.
extension PostgresRegister: TableStore {
    public var storeName: String { url.display }

    public func storedColumns(of table: StoreTableSchema) throws -> [String] {
        try withSession { session in
            var binds = PostgresBindings()
            binds.append(table.name)
            return try session.query("""
                SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
                """, binds, doing: "reading the schema").rows.map { row in
                var r = CellReader(row)
                return r.requiredText()
            }
        }
    }

    public func storedCounts(of tables: [StoreTableSchema]) throws -> [(table: String, rows: Int)] {
        try withSession { session in
            try tables.map { table in
                var r = CellReader(try session.query("SELECT count(*) FROM \(table.name)", doing: "counting \(table.name)").rows[0])
                return (table.name, r.int() ?? 0)
            }
        }
    }

    public func readTables(_ tables: [StoreTableSchema], _ body: TableSink) throws {
        try reading("reading the register to copy it") { session in
            for table in tables {
                let kinds = table.columns.map(\.kind)
                try body(table) { each in
                    let cursor = ChunkedCursor(session: session, name: "copy_\(table.name)",
                                               sql: "SELECT ROW(\(table.columnNames.joined(separator: ", "))) FROM \(table.name) ORDER BY \(table.order.joined(separator: ", "))",
                                               doing: "reading \(table.name)")
                    while let row = try cursor.next() {
                        var cells = CellReader(record: row)
                        try each(kinds.map { cells.value(kind: $0) })
                    }
                    try cursor.close()
                }
            }
        }
    }

    public func loadTables(_ body: (TableSink) throws -> Void) throws -> [(table: String, rows: Int)] {
        try transaction("BEGIN", doing: "copying into the register") { session in
            var written: [(table: String, rows: Int)] = []
            let pipeline = StatementPipeline(session: session)
            do {
                try body { table, rows in
                    written.append((table.name, try Self.insert(table, rows, into: pipeline)))
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

    /// Sends a table's rows as multi-row inserts; returns how many.
    private static func insert(_ table: StoreTableSchema, _ rows: RowSource, into pipeline: StatementPipeline) throws -> Int {
        let kinds = table.columns.map(\.kind)
        let names = table.columnNames.joined(separator: ", ")
        var batch = PostgresBindings()
        var batchRows = 0
        var count = 0
        func send() throws {
            guard batchRows > 0 else { return }
            var n = 0
            let tuples = (0..<batchRows).map { _ in "(" + kinds.map { _ in n += 1; return "$\(n)" }.joined(separator: ", ") + ")" }
            try pipeline.send("INSERT INTO \(table.name) (\(names)) VALUES \(tuples.joined(separator: ", "))", batch, doing: "copying \(table.name)")
            batch = PostgresBindings()
            batchRows = 0
        }
        try rows { values in
            for (value, kind) in zip(values, kinds) { batch.append(value, kind: kind) }
            batchRows += 1
            count += 1
            if batchRows >= 1_000 || batch.count + kinds.count > 30_000 { try send() }
        }
        try send()
        return count
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
