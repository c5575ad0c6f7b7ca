/// The register's tables as INTERFACE.md gives them: one description serves the SQLite
/// schema, import validation and export, so the three cannot drift apart.
public enum RegisterTable: String, CaseIterable, Sendable {
    case organizations, certificates, audits, nonconformities, suspensions, withdrawals, applications, appeals, misuse

    /// The CSV file staff keep the table in.
    public var fileName: String { rawValue + ".csv" }

    /// Only these files must exist in an import folder.
    public var isRequiredFile: Bool { self == .organizations || self == .certificates || self == .audits }

    /// The id column, unique within the file and the key rows are upserted by.
    public var idColumn: String { columns[0].name }

    /// The certificate a row belongs to, for tables the nightly scan reads in certificate order.
    public var certificateColumn: String? {
        switch self {
        case .organizations, .certificates, .appeals: nil
        case .applications: nil
        default: "cert_no"
        }
    }

    /// The table's columns, in their stored order (made once: the importer asks for them per cell).
    public var columns: [RegisterColumn] { Self.described[ordinal].columns }

    /// The position of the column called `name` in `columns`.
    public func position(of name: String) -> Int? { Self.described[ordinal].positions[name] }

    /// The case's place in `allCases` (a switch: `allCases` would make an array per call).
    public var ordinal: Int {
        switch self {
        case .organizations: 0
        case .certificates: 1
        case .audits: 2
        case .nonconformities: 3
        case .suspensions: 4
        case .withdrawals: 5
        case .applications: 6
        case .appeals: 7
        case .misuse: 8
        }
    }

    private static let described: [(columns: [RegisterColumn], positions: [String: Int])] = allCases.enumerated().map { offset, table in
        precondition(table.ordinal == offset, "RegisterTable.ordinal must follow the order of the cases")
        let columns = table.describedColumns
        return (columns, Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element.name, $0.offset) }))
    }

    private var describedColumns: [RegisterColumn] {
        switch self {
        case .organizations: [
            .init("org_id", .id, required: true),
            .init("name", .text, required: true),
            .init("address", .text),
            .init("credit_code", .creditCode),
            .init("employees", .count, required: true),
            .init("contact_email", .email),
        ]
        case .certificates: [
            .init("cert_no", .id, required: true),
            .init("org_id", .reference(.organizations), required: true),
            .init("scope", .text, required: true),
            .init("standard", .text),
            .init("service_sites", .list),
            .init("valid_through", .date),
        ]
        case .audits: [
            .init("audit_id", .id, required: true),
            .init("cert_no", .reference(.certificates), required: true),
            .init("kind", .choice(["initial", "surveillance", "recertification", "special", "scope_extension"]), required: true),
            .init("onsite_start", .date),
            .init("onsite_end", .date, required: true),
            .init("score", .score),
            .init("deductions", .count),
            .init("decision_date", .date),
            .init("decided_by", .idText),
            .init("team", .idList),
            .init("man_days", .manDays),
            .init("due_on", .date),
            .init("reason", .text),
        ]
        case .nonconformities: [
            .init("nc_id", .id, required: true),
            .init("cert_no", .reference(.certificates), required: true),
            .init("audit_id", .reference(.audits)),
            .init("notified_on", .date, required: true),
            .init("due_on", .date),
            .init("closed_on", .date),
        ]
        case .suspensions: [
            .init("suspension_id", .id, required: true),
            .init("cert_no", .reference(.certificates), required: true),
            .init("reason", .reason(1...7), required: true),
            .init("cause_verified_on", .date),
            .init("start_on", .date, required: true),
            .init("lifted_on", .date),
            .init("reduced_scope", .text),
        ]
        case .withdrawals: [
            .init("withdrawal_id", .id, required: true),
            .init("cert_no", .reference(.certificates), required: true),
            .init("reason", .reason(1...10), required: true),
            .init("cause_verified_on", .date),
            .init("decided_on", .date, required: true),
            .init("recalled_on", .date),
        ]
        case .applications: [
            .init("application_id", .id, required: true),
            .init("org_id", .reference(.organizations), required: true),
            .init("cert_no", .reference(.certificates)),
            .init("kind", .choice(["initial", "recertification", "scope_extension", "change"]), required: true),
            .init("received_on", .date, required: true),
            .init("reviewed_on", .date),
            .init("outcome", .choice(["pending", "accepted", "not_accepted", "withdrawn"])),
            .init("notified_on", .date),
            .init("reason", .text),
        ]
        case .appeals: [
            .init("appeal_id", .id, required: true),
            .init("cert_no", .reference(.certificates)),
            .init("org_id", .reference(.organizations)),
            .init("received_on", .date, required: true),
            .init("replied_on", .date),
        ]
        case .misuse: [
            .init("case_id", .id, required: true),
            .init("cert_no", .reference(.certificates), required: true),
            .init("requested_on", .date, required: true),
            .init("corrected_on", .date),
        ]
        }
    }

    public func column(named name: String) -> RegisterColumn? { position(of: name).map { columns[$0] } }
}

public struct RegisterColumn: Sendable {
    public enum Kind: Sendable {
        /// 1–60 of letters, digits, `-`, `_`, `.`, not starting with `.`.
        case id
        /// An id of another table, which must exist.
        case reference(RegisterTable)
        /// Free text (trimmed).
        case text
        /// A person's id (same format as other ids), not checked against a table.
        case idText
        /// A `;`-separated list of free text.
        case list
        /// A `;`-separated list of ids.
        case idList
        case date
        /// A whole number ≥ 0.
        case count
        /// 0–100, decimals allowed.
        case score
        /// A number of man-days ≥ 0, decimals allowed.
        case manDays
        /// A reason number of a clause's list.
        case reason(ClosedRange<Int>)
        case choice([String])
        case creditCode
        case email
    }

    public var name: String
    public var kind: Kind
    public var required: Bool

    init(_ name: String, _ kind: Kind, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.required = required
    }
}
