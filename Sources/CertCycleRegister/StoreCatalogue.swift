/// Every table a register store holds, described once: the SQLite and PostgreSQL schemas are
/// made from it (each store maps the column types to its own), and `migrate-store` copies
/// exactly these tables and columns. Staff's tables come from `RegisterTable`; the ledger and
/// the outbox are described here.
///
/// The catalogue is today's schema. A store records which migrations it has applied; a column
/// added later gets a migration of its own that adds it to registers made before (as the
/// `reason` columns did), while a new register gets it from the catalogue at once.
public enum StoreCatalogue {
    /// Every table, in an order that satisfies the references between them (deliveries refer
    /// to events): the order `migrate-store` copies in.
    public static let tables: [StoreTableSchema] = RegisterTable.allCases.map(StoreTableSchema.init(register:)) + [ledger] + outbox

    public static let ledger = StoreTableSchema(
        name: "ledger",
        columns: [
            .init("seq", .integer, required: true), .init("as_of", .date, required: true), .init("kind", .text, required: true),
            .init("key", .text, required: true), .init("payload", .text, required: true), .init("previous_hash", .text, required: true),
            .init("hash", .text, required: true),
        ],
        primaryKey: ["seq"],
        indexes: [.init("ledger_kind_key", ["kind", "key"], unique: true), .init("ledger_runs", ["kind", "as_of"])],
        order: ["seq"])

    public static let outbox: [StoreTableSchema] = [
        StoreTableSchema(
            name: "events",
            columns: [
                .init("event_id", .text, required: true), .init("cert_no", .text, required: true), .init("type", .text, required: true),
                .init("effective_on", .date, required: true), .init("body", .text, required: true), .init("created_at", .real, required: true),
            ],
            primaryKey: ["event_id"],
            indexes: [.init("events_cert", ["cert_no"])],
            order: ["event_id"]),
        StoreTableSchema(
            name: "deliveries",
            columns: [
                .init("seq", .integer, required: true, generated: true), .init("endpoint", .text, required: true),
                .init("event_id", .text, required: true, references: ("events", "event_id")), .init("cert_no", .text, required: true),
                .init("status", .text, required: true), .init("attempts", .integer, required: true, defaultValue: "0"),
                .init("next_attempt_at", .real, required: true), .init("claimed_until", .real, required: true, defaultValue: "0"),
                .init("last_status_code", .integer), .init("last_error", .text), .init("delivered_at", .real),
            ],
            primaryKey: ["seq"],
            unique: [["endpoint", "event_id"]],
            indexes: [.init("deliveries_due", ["endpoint", "status", "next_attempt_at"]), .init("deliveries_order", ["endpoint", "cert_no", "seq"])],
            order: ["seq"]),
        StoreTableSchema(
            name: "delivery_attempts",
            columns: [
                .init("endpoint", .text, required: true), .init("event_id", .text, required: true), .init("attempt", .integer, required: true),
                .init("at", .real, required: true), .init("status_code", .integer), .init("error", .text),
                .init("milliseconds", .integer, required: true),
            ],
            primaryKey: ["endpoint", "event_id", "attempt"],
            clustered: true,
            order: ["endpoint", "event_id", "attempt"]),
        StoreTableSchema(
            name: "endpoints",
            columns: [.init("name", .text, required: true), .init("synced_at", .real), .init("disabled_at", .real), .init("disabled_reason", .text)],
            primaryKey: ["name"],
            order: ["name"]),
    ]

    public static func table(named name: String) -> StoreTableSchema? { tables.first { $0.name == name } }

    // The select lists both SQL stores read the ledger and the outbox with; each store's
    // mapping reads the cells in this order.

    /// A ledger entry: every column.
    public static let ledgerSelect = ledger.columns.map(\.name).joined(separator: ", ")
    /// An event (`e.`): every column.
    public static let eventSelect = outbox[0].columns.map { "e.\($0.name)" }.joined(separator: ", ")
    /// A delivery (`d.`): every column but the claim, which only the stores' queries use.
    public static let deliverySelect = outbox[1].columns.filter { $0.name != "claimed_until" }.map { "d.\($0.name)" }.joined(separator: ", ")
}

/// One table of the catalogue.
public struct StoreTableSchema: Sendable {
    public enum ColumnType: Sendable, Equatable {
        case text, integer, real, date
    }

    public struct Column: Sendable {
        public var name: String
        public var type: ColumnType
        public var required: Bool
        /// Numbered by the store when a row is added without it (a delivery's `seq`).
        public var generated: Bool
        public var defaultValue: String?
        public var references: (table: String, column: String)?

        init(_ name: String, _ type: ColumnType, required: Bool = false, generated: Bool = false, defaultValue: String? = nil,
             references: (table: String, column: String)? = nil) {
            self.name = name
            self.type = type
            self.required = required
            self.generated = generated
            self.defaultValue = defaultValue
            self.references = references
        }

        /// How a copied value is read back and bound: the register column kind of the type.
        public var kind: RegisterColumn.Kind {
            switch type {
            case .text: .text
            case .integer: .count
            case .real: .score
            case .date: .date
            }
        }
    }

    public struct Index: Sendable {
        public var name: String
        public var columns: [String]
        public var unique: Bool

        init(_ name: String, _ columns: [String], unique: Bool = false) {
            self.name = name
            self.columns = columns
            self.unique = unique
        }
    }

    public var name: String
    public var columns: [Column]
    public var primaryKey: [String]
    public var unique: [[String]]
    /// The columns the nightly scan reads the table in order of (certificate, then id), for
    /// staff's tables that belong to a certificate. A store may keep the rows in that order
    /// (SQLite) or index it (PostgreSQL).
    public var scanOrder: [String]?
    public var indexes: [Index]
    /// Rows kept in primary-key order (SQLite `WITHOUT ROWID`); a hint the other stores ignore.
    public var clustered: Bool
    /// The order rows are read in to be copied.
    public var order: [String]
    /// Staff's table this is, if it is one.
    public var register: RegisterTable?

    init(name: String, columns: [Column], primaryKey: [String], unique: [[String]] = [], scanOrder: [String]? = nil,
         indexes: [Index] = [], clustered: Bool = false, order: [String], register: RegisterTable? = nil) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.unique = unique
        self.scanOrder = scanOrder
        self.indexes = indexes
        self.clustered = clustered
        self.order = order
        self.register = register
    }

    /// Staff's table as the stores keep it: primary key the id; the tables of a certificate
    /// read in (cert_no, id) order; the lookups the commands make indexed.
    init(register table: RegisterTable) {
        let columns = table.columns.map { column in
            let type: ColumnType = switch column.kind {
            case .count, .reason: .integer
            case .score, .manDays: .real
            case .date: .date
            default: .text
            }
            return Column(column.name, type, required: column.required)
        }
        let indexes: [Index] = switch table {
        case .certificates: [Index("certificates_org", ["org_id"])]
        case .applications: [Index("applications_cert", ["cert_no", "application_id"]), Index("applications_outcome", ["outcome"])]
        default: []
        }
        self.init(name: table.rawValue, columns: columns, primaryKey: [table.idColumn],
                  scanOrder: table.certificateColumn.map { [$0, table.idColumn] }, indexes: indexes, clustered: true,
                  order: [table.idColumn], register: table)
    }

    public var columnNames: [String] { columns.map(\.name) }

    /// `CREATE TABLE` and its indexes, as `dialect` spells them.
    public func createStatements(_ dialect: SQLDialect) -> [String] {
        let keyedByScan = dialect.keyedByScanOrder && scanOrder != nil
        var parts = columns.map { column -> String in
            if column.generated { return "\(column.name) \(dialect.generated(column.type))" }
            var text = "\(column.name) \(dialect.type(column.type))"
            if column.required { text += " NOT NULL" }
            if let value = column.defaultValue { text += " DEFAULT \(value)" }
            if let reference = column.references { text += " REFERENCES \(reference.table) (\(reference.column))" }
            return text
        }
        if !(dialect.generatedIsPrimaryKey && columns.contains(where: \.generated)) {
            parts.append("PRIMARY KEY (\((keyedByScan ? scanOrder! : primaryKey).joined(separator: ", ")))")
        }
        for columns in unique { parts.append("UNIQUE (\(columns.joined(separator: ", ")))") }
        var statements = ["CREATE TABLE \(name) (\(parts.joined(separator: ", ")))\(clustered ? dialect.clusteredSuffix : "")"]
        if let scanOrder {
            statements.append(keyedByScan
                ? "CREATE UNIQUE INDEX \(name)_id ON \(name) (\(primaryKey.joined(separator: ", ")))"
                : "CREATE INDEX \(name)_scan ON \(name) (\(scanOrder.joined(separator: ", ")))")
        }
        for index in indexes {
            statements.append("CREATE \(index.unique ? "UNIQUE " : "")INDEX \(index.name) ON \(name) (\(index.columns.joined(separator: ", ")))")
        }
        return statements
    }
}

/// How a store spells the catalogue in SQL: its types, its numbered column, and how it keeps a
/// table read by certificate (in that order, keyed by it, or keyed by the id with an index).
public struct SQLDialect: Sendable {
    public var type: @Sendable (StoreTableSchema.ColumnType) -> String
    /// The whole definition of a column the store numbers (after its name).
    public var generated: @Sendable (StoreTableSchema.ColumnType) -> String
    /// The numbered column's definition makes it the primary key.
    public var generatedIsPrimaryKey: Bool
    /// A table read by certificate is keyed by (cert_no, id), with a unique index on the id;
    /// otherwise it is keyed by the id, with an index on (cert_no, id).
    public var keyedByScanOrder: Bool
    /// What follows `CREATE TABLE (…)` for a table kept in key order.
    public var clusteredSuffix: String

    public init(type: @escaping @Sendable (StoreTableSchema.ColumnType) -> String, generated: @escaping @Sendable (StoreTableSchema.ColumnType) -> String,
                generatedIsPrimaryKey: Bool, keyedByScanOrder: Bool, clusteredSuffix: String) {
        self.type = type
        self.generated = generated
        self.generatedIsPrimaryKey = generatedIsPrimaryKey
        self.keyedByScanOrder = keyedByScanOrder
        self.clusteredSuffix = clusteredSuffix
    }
}
