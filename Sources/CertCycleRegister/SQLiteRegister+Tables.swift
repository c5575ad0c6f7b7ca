import CertCycleCore
import GRDB

/// The SQLite schema made from `StoreCatalogue`, and the file seen as those tables for
/// `migrate-store` (through the register's own queue, with its WAL settings).
extension SQLiteRegister: TableStore {
    /// SQLite's spelling of the catalogue: a table read by certificate is kept in that order
    /// (`PRIMARY KEY (cert_no, id) WITHOUT ROWID`) with a unique index on the id.
    static let dialect = SQLDialect(
        type: { type in
            switch type {
            case .integer: "INTEGER"
            case .real: "REAL"
            case .text, .date: "TEXT"
            }
        },
        generated: { _ in "INTEGER PRIMARY KEY AUTOINCREMENT" }, generatedIsPrimaryKey: true, keyedByScanOrder: true, clusteredSuffix: " WITHOUT ROWID")

    static func create(_ tables: [StoreTableSchema], in db: Database) throws {
        for table in tables {
            for statement in table.createStatements(dialect) { try db.execute(sql: statement) }
        }
    }

    public var storeName: String { "sqlite:\(path)" }

    public func storedColumns(of table: StoreTableSchema) throws -> [String] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table.name]).map { $0[0] as String }
        }
    }

    public func storedCounts(of tables: [StoreTableSchema]) throws -> [(table: String, rows: Int)] {
        try dbQueue.read { db in
            try tables.map { ($0.name, try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0.name)") ?? 0) }
        }
    }

    public func readTables(_ tables: [StoreTableSchema], _ body: TableSink) throws {
        try dbQueue.read { db in
            for table in tables {
                let kinds = table.columns.map(\.kind)
                try body(table) { each in
                    let rows = try Row.fetchCursor(db, sql: "SELECT \(table.columnNames.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order.joined(separator: ", "))")
                    while let row = try rows.next() {
                        try each(kinds.indices.map { CellValue(row[$0] as DatabaseValue, kind: kinds[$0]) })
                    }
                }
            }
        }
    }

    public func loadTables(_ body: (TableSink) throws -> Void) throws -> [(table: String, rows: Int)] {
        try dbQueue.write { db in
            var written: [(table: String, rows: Int)] = []
            try body { table, rows in
                let names = table.columnNames
                let statement = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))")
                var count = 0
                try rows { values in
                    try statement.execute(binding: values)
                    count += 1
                }
                written.append((table.name, count))
            }
            return written
        }
    }
}
