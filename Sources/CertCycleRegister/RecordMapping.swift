public import CertCycleCore

/// How a store hands over one stored row: its cells front to back, in the order of the columns
/// it selected, which is the catalogue's (`RecordMapping.columns`). Each store reads its own
/// format (SQLite's statement, PostgreSQL's binary records, the in-memory store's values);
/// what the cells mean is `RecordMapping`'s, once for all three.
public protocol StoredCells {
    /// The next cell as text (a number as its digits); nil when NULL.
    mutating func text() -> String?
    /// The next cell as a whole number; nil when NULL (or not a number).
    mutating func integer() -> Int?
    /// The next cell as a number; nil when NULL (or not a number).
    mutating func real() -> Double?
    /// The next cell as a date.
    mutating func date() -> DateCell
}

/// A stored date cell: NULL, a day, or something else (reported, never defaulted).
public enum DateCell {
    case null
    case day(CivilDate)
    case undecodable(String)
}

/// A stored row read column by column as the catalogue lists them. A value certcycle could not
/// have written (a date that is not one, a kind outside the column's choices) is reported with
/// table, row and column (`RegisterError.undecodable`), never defaulted.
public struct RecordReader<Cells: StoredCells> {
    public var cells: Cells
    public let table: RegisterTable
    /// The row's id (its first column), for a value that cannot be decoded.
    @usableFromInline var rowId = ""
    @usableFromInline var position = 0

    @inlinable
    public init(_ table: RegisterTable, _ cells: Cells) {
        self.table = table
        self.cells = cells
    }

    /// Every read names its column; debug builds check it is the catalogue's next one, so the
    /// mapping cannot drift from the columns the stores select.
    @inlinable
    mutating func advance(_ column: String) {
        assert(RecordMapping.column(table, position) == column,
               "\(table.rawValue): mapping reads \(column) where the catalogue has \(RecordMapping.column(table, position) ?? "no column")")
        position += 1
    }

    @inlinable
    public mutating func id() -> String { optionalID() ?? "" }

    /// The id, nil when NULL (an outer join that found no row).
    @inlinable
    public mutating func optionalID() -> String? {
        advance(table.idColumn)
        let id = cells.text()
        rowId = id ?? ""
        return id
    }

    @inlinable
    public mutating func text(_ column: String) -> String? {
        advance(column)
        return cells.text()
    }

    @inlinable
    public mutating func requiredText(_ column: String) -> String { text(column) ?? "" }

    @inlinable
    public mutating func integer(_ column: String) -> Int? {
        advance(column)
        return cells.integer()
    }

    @inlinable
    public mutating func real(_ column: String) -> Double? {
        advance(column)
        return cells.real()
    }

    @inlinable
    public mutating func list(_ column: String) -> [String] { splitList(text(column)) }

    @inlinable
    public mutating func date(_ column: String) throws -> CivilDate? {
        advance(column)
        switch cells.date() {
        case .null: return nil
        case .day(let day): return day
        case .undecodable(let text): throw undecodable(column, text, expected: "a date (YYYY-MM-DD)")
        }
    }

    @inlinable
    public mutating func requiredDate(_ column: String) throws -> CivilDate {
        guard let day = try date(column) else { throw undecodable(column, "", expected: "a date (it is empty)") }
        return day
    }

    @inlinable
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ column: String) throws -> T where T.RawValue == String {
        guard let value: T = try optionalChoice(column) else { throw undecodable(column, "", expected: "set (it is empty)") }
        return value
    }

    @inlinable
    public mutating func optionalChoice<T: RawRepresentable & CaseIterable>(_ column: String) throws -> T? where T.RawValue == String {
        guard let text = text(column) else { return nil }
        guard let value = T(rawValue: text) else {
            throw undecodable(column, text, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    @usableFromInline
    func undecodable(_ column: String, _ value: String, expected: String) -> RegisterError {
        RegisterError.undecodable(table: table.rawValue, row: rowId, column: column, value: value, expected: expected)
    }
}

/// The records of `CertCycleCore` from stored rows, written once for every store: each reads
/// the table's catalogue columns (`RegisterTable.columns`) in order.
public enum RecordMapping {
    /// The columns a store selects for `table`, in the order the mapping reads them.
    public static func columns(_ table: RegisterTable) -> [String] { table.columns.map(\.name) }

    /// `columns(table)` as an SQL select list, each prefixed with `alias.` when given.
    public static func selectList(_ table: RegisterTable, alias: String? = nil) -> String {
        columns(table).map { name in alias.map { "\($0).\(name)" } ?? name }.joined(separator: ", ")
    }

    /// The position of the certificate column in `columns(table)`, for stores that group rows by it.
    public static func certificatePosition(_ table: RegisterTable) -> Int? { columns(table).firstIndex(of: "cert_no") }

    private static let names: [RegisterTable: [String]] = Dictionary(uniqueKeysWithValues: RegisterTable.allCases.map { ($0, columns($0)) })

    @usableFromInline
    static func column(_ table: RegisterTable, _ position: Int) -> String? {
        guard let names = names[table], position < names.count else { return nil }
        return names[position]
    }

    @inlinable
    public static func organization<C>(_ r: inout RecordReader<C>) -> Organization { organization(id: r.id(), &r) }

    /// An organisation joined to a row (after its own columns): nil when the join found none.
    @inlinable
    public static func joinedOrganization<C>(_ r: inout RecordReader<C>) -> Organization? {
        guard let id = r.optionalID() else { return nil }
        return organization(id: id, &r)
    }

    /// The columns after the id.
    @inlinable
    static func organization<C>(id: String, _ r: inout RecordReader<C>) -> Organization {
        Organization(id: id, name: r.requiredText("name"), address: r.text("address"), creditCode: r.text("credit_code"),
                     employees: r.integer("employees") ?? 0, contactEmail: r.text("contact_email"))
    }

    @inlinable
    public static func certificate<C>(_ r: inout RecordReader<C>) throws -> Certificate {
        Certificate(certNo: r.id(), orgId: r.requiredText("org_id"), scope: r.requiredText("scope"),
                    standard: r.text("standard") ?? Certificate.defaultStandard, serviceSites: r.list("service_sites"),
                    statedValidThrough: try r.date("valid_through"))
    }

    @inlinable
    public static func audit<C>(_ r: inout RecordReader<C>) throws -> Audit {
        Audit(id: r.id(), certNo: r.requiredText("cert_no"), kind: try r.choice("kind"), onsiteStart: try r.date("onsite_start"),
              onsiteEnd: try r.requiredDate("onsite_end"), score: r.real("score"), deductions: r.integer("deductions"),
              decisionDate: try r.date("decision_date"), decidedBy: r.text("decided_by"), team: r.list("team"), manDays: r.real("man_days"),
              dueOn: try r.date("due_on"), reason: r.text("reason"))
    }

    @inlinable
    public static func nonconformity<C>(_ r: inout RecordReader<C>) throws -> Nonconformity {
        Nonconformity(id: r.id(), certNo: r.requiredText("cert_no"), auditId: r.text("audit_id"), notifiedOn: try r.requiredDate("notified_on"),
                      dueOn: try r.date("due_on"), closedOn: try r.date("closed_on"))
    }

    @inlinable
    public static func suspension<C>(_ r: inout RecordReader<C>) throws -> Suspension {
        Suspension(id: r.id(), certNo: r.requiredText("cert_no"), reason: r.integer("reason") ?? 0, causeVerifiedOn: try r.date("cause_verified_on"),
                   startOn: try r.requiredDate("start_on"), liftedOn: try r.date("lifted_on"), reducedScope: r.text("reduced_scope"))
    }

    @inlinable
    public static func withdrawal<C>(_ r: inout RecordReader<C>) throws -> Withdrawal {
        Withdrawal(id: r.id(), certNo: r.requiredText("cert_no"), reason: r.integer("reason") ?? 0, causeVerifiedOn: try r.date("cause_verified_on"),
                   decidedOn: try r.requiredDate("decided_on"), recalledOn: try r.date("recalled_on"))
    }

    @inlinable
    public static func application<C>(_ r: inout RecordReader<C>) throws -> Application {
        Application(id: r.id(), orgId: r.requiredText("org_id"), certNo: r.text("cert_no"), kind: try r.choice("kind"),
                    receivedOn: try r.requiredDate("received_on"), reviewedOn: try r.date("reviewed_on"), outcome: try r.optionalChoice("outcome"),
                    notifiedOn: try r.date("notified_on"), reason: r.text("reason"))
    }

    @inlinable
    public static func appeal<C>(_ r: inout RecordReader<C>) throws -> Appeal {
        Appeal(id: r.id(), certNo: r.text("cert_no"), orgId: r.text("org_id"), receivedOn: try r.requiredDate("received_on"),
               repliedOn: try r.date("replied_on"))
    }

    @inlinable
    public static func misuseCase<C>(_ r: inout RecordReader<C>) throws -> MisuseCase {
        MisuseCase(id: r.id(), certNo: r.requiredText("cert_no"), requestedOn: try r.requiredDate("requested_on"),
                   correctedOn: try r.date("corrected_on"))
    }
}

/// The in-memory store's cells: a row's values, aligned to the table's columns.
public struct ValueCells: StoredCells {
    @usableFromInline let values: [CellValue?]
    @usableFromInline var index = 0

    @inlinable
    public init(_ values: [CellValue?]) {
        self.values = values
    }

    @inlinable
    mutating func next() -> CellValue? {
        defer { index += 1 }
        return index < values.count ? values[index] : nil
    }

    @inlinable
    public mutating func text() -> String? { next()?.csvText }

    @inlinable
    public mutating func integer() -> Int? {
        switch next() {
        case .integer(let i): i
        case .real(let d): Int(exactly: d)
        case .text(let s): Int(s)
        default: nil
        }
    }

    @inlinable
    public mutating func real() -> Double? {
        switch next() {
        case .integer(let i): Double(i)
        case .real(let d): d
        case .text(let s): Double(s)
        default: nil
        }
    }

    @inlinable
    public mutating func date() -> DateCell {
        switch next() {
        case nil: .null
        case .date(let d): .day(d)
        case .text(let s): CivilDate(parsing: s).map(DateCell.day) ?? .undecodable(s)
        case let other?: .undecodable(other.csvText)
        }
    }
}
