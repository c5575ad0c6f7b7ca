public import CertCycleCore

/// The source or target cannot be used as given: nothing was changed.
public struct TransferRefused: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Hands a table's rows, in order, to a callback.
public typealias RowSource = (([CellValue?]) throws -> Void) throws -> Void
/// Takes a table and its rows.
public typealias TableSink = (StoreTableSchema, RowSource) throws -> Void

/// A store seen as the tables of `StoreCatalogue`: what `migrate-store` reads from one store
/// and writes into another. Each store reads and writes its own tables (its own connection,
/// settings and value conversions); the copy itself knows only this protocol.
public protocol TableStore: Sendable {
    /// The store as messages name it (`sqlite:PATH`, a PostgreSQL URL without a password).
    var storeName: String { get }
    /// The columns `table` has in this store.
    func storedColumns(of table: StoreTableSchema) throws -> [String]
    /// The rows of each table.
    func storedCounts(of tables: [StoreTableSchema]) throws -> [(table: String, rows: Int)]
    /// Calls `body` with each table and its rows (in the table's `order`), all in one read
    /// transaction, so the copy is of one moment.
    func readTables(_ tables: [StoreTableSchema], _ body: TableSink) throws
    /// Runs `body` in one write transaction with a sink that inserts each table it is given
    /// (rows verbatim, generated columns included); returns the rows written per table.
    func loadTables(_ body: (TableSink) throws -> Void) throws -> [(table: String, rows: Int)]
}

/// Copies a whole register from one store to another: every register table, the ledger (entries
/// verbatim, so its hash chain verifies on the target), and the outbox (events, deliveries with
/// their state, attempts, endpoints). The target must be empty; everything is written in one
/// transaction, so it ends up with all of it or (on any failure) nothing.
///
/// It sits above the stores: it works on `StoreCatalogue`'s tables through `TableStore`, and
/// never opens a store's files or connections itself. Each side's columns are checked against
/// the catalogue first, so a schema this code does not know (a newer certcycle's) is refused
/// rather than copied in part.
public enum RegisterTransfer {
    /// Copies `source` into the empty `target`; returns the rows copied per table, in copy order.
    public static func copy(from source: any TableStore, to target: any TableStore, tables: [StoreTableSchema] = StoreCatalogue.tables,
                            progress: WorkProgress = .none) throws -> [(table: String, rows: Int)] {
        if source.storeName == target.storeName {
            throw TransferRefused("the source and the target are the same register (\(source.storeName))")
        }
        for store in [source, target] {
            for table in tables { try refuseUnknown(table, have: try store.storedColumns(of: table), store: store.storeName) }
        }
        let filled = try target.storedCounts(of: tables).filter { $0.rows > 0 }
        guard filled.isEmpty else {
            throw TransferRefused("the target register \(target.storeName) is not empty (\(filled.map { "\($0.table): \($0.rows) rows" }.joined(separator: ", "))): migrate-store only copies into an empty register; give a new database or file")
        }
        return try target.loadTables { sink in
            try source.readTables(tables) { table, rows in
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

    /// Refuses a table whose columns are not the catalogue's.
    static func refuseUnknown(_ table: StoreTableSchema, have: [String], store: String) throws {
        let expected = Set(table.columnNames)
        let actual = Set(have)
        guard expected == actual else {
            let extra = actual.subtracting(expected).sorted()
            let missing = expected.subtracting(actual).sorted()
            throw TransferRefused("table \(table.name) of \(store) has \(extra.isEmpty ? "" : "columns this certcycle does not know (\(extra.joined(separator: ", ")))")\(extra.isEmpty || missing.isEmpty ? "" : " and ")\(missing.isEmpty ? "" : "no columns \(missing.joined(separator: ", "))"): use the certcycle that made it")
        }
    }
}
