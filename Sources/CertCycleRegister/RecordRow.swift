public import CertCycleCore

/// One stored row of a register table, its cells aligned to `table.columns`, read as the
/// records of `CertCycleCore` by column name. A cell certcycle could not have written (a date
/// that is not one, a kind outside the column's choices) is reported with table, row and
/// column, never defaulted.
public struct RecordRow: Sendable {
    public let table: RegisterTable
    public let values: [CellValue?]

    public init(_ table: RegisterTable, _ values: [CellValue?]) {
        self.table = table
        self.values = values
    }

    /// Column positions by name, per table: `RegisterTable.columns` is the catalogue.
    private static let positions: [RegisterTable: [String: Int]] = Dictionary(uniqueKeysWithValues: RegisterTable.allCases.map { table in
        (table, Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($0.element.name, $0.offset) }))
    })

    private func cell(_ name: String) -> CellValue? {
        guard let index = Self.positions[table]?[name], index < values.count else { return nil }
        return values[index]
    }

    public var id: String { text(table.idColumn) ?? "" }

    public func text(_ name: String) -> String? {
        cell(name).map { $0.csvText }
    }

    public func requiredText(_ name: String) -> String { text(name) ?? "" }

    public func integer(_ name: String) -> Int? {
        switch cell(name) {
        case .integer(let i): i
        case .real(let d): Int(exactly: d)
        case .text(let s): Int(s)
        default: nil
        }
    }

    public func real(_ name: String) -> Double? {
        switch cell(name) {
        case .integer(let i): Double(i)
        case .real(let d): d
        case .text(let s): Double(s)
        default: nil
        }
    }

    public func list(_ name: String) -> [String] { splitList(text(name)) }

    public func date(_ name: String) throws -> CivilDate? {
        switch cell(name) {
        case nil: return nil
        case .date(let d): return d
        case .text(let s):
            guard let d = CivilDate(parsing: s) else { throw undecodable(name, s, expected: "a date (YYYY-MM-DD)") }
            return d
        case let other?: throw undecodable(name, other.csvText, expected: "a date (YYYY-MM-DD)")
        }
    }

    public func requiredDate(_ name: String) throws -> CivilDate {
        guard let d = try date(name) else { throw undecodable(name, "", expected: "a date (YYYY-MM-DD)") }
        return d
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ name: String) throws -> T where T.RawValue == String {
        guard let value: T = try optionalChoice(name) else { throw undecodable(name, "", expected: Self.choices(T.self)) }
        return value
    }

    public func optionalChoice<T: RawRepresentable & CaseIterable>(_ name: String) throws -> T? where T.RawValue == String {
        guard let text = text(name) else { return nil }
        guard let value = T(rawValue: text) else { throw undecodable(name, text, expected: Self.choices(T.self)) }
        return value
    }

    private static func choices<T: RawRepresentable & CaseIterable>(_: T.Type) -> String where T.RawValue == String {
        "one of " + T.allCases.map(\.rawValue).joined(separator: ", ")
    }

    private func undecodable(_ column: String, _ value: String, expected: String) -> RegisterError {
        RegisterError.undecodable(table: table.rawValue, row: "\(table.idColumn) \(id)", column: column, value: value, expected: expected)
    }

    // MARK: Records

    public func organization() -> Organization {
        Organization(id: id, name: requiredText("name"), address: text("address"), creditCode: text("credit_code"),
                     employees: integer("employees") ?? 0, contactEmail: text("contact_email"))
    }

    public func certificate() throws -> Certificate {
        Certificate(certNo: id, orgId: requiredText("org_id"), scope: requiredText("scope"), standard: text("standard") ?? Certificate.defaultStandard,
                    serviceSites: list("service_sites"), statedValidThrough: try date("valid_through"))
    }

    public func audit() throws -> Audit {
        Audit(id: id, certNo: requiredText("cert_no"), kind: try choice("kind"), onsiteStart: try date("onsite_start"), onsiteEnd: try requiredDate("onsite_end"),
              score: real("score"), deductions: integer("deductions"), decisionDate: try date("decision_date"), decidedBy: text("decided_by"),
              team: list("team"), manDays: real("man_days"), dueOn: try date("due_on"), reason: text("reason"))
    }

    public func nonconformity() throws -> Nonconformity {
        Nonconformity(id: id, certNo: requiredText("cert_no"), auditId: text("audit_id"), notifiedOn: try requiredDate("notified_on"),
                      dueOn: try date("due_on"), closedOn: try date("closed_on"))
    }

    public func suspension() throws -> Suspension {
        Suspension(id: id, certNo: requiredText("cert_no"), reason: integer("reason") ?? 0, causeVerifiedOn: try date("cause_verified_on"),
                   startOn: try requiredDate("start_on"), liftedOn: try date("lifted_on"), reducedScope: text("reduced_scope"))
    }

    public func withdrawal() throws -> Withdrawal {
        Withdrawal(id: id, certNo: requiredText("cert_no"), reason: integer("reason") ?? 0, causeVerifiedOn: try date("cause_verified_on"),
                   decidedOn: try requiredDate("decided_on"), recalledOn: try date("recalled_on"))
    }

    public func application() throws -> Application {
        Application(id: id, orgId: requiredText("org_id"), certNo: text("cert_no"), kind: try choice("kind"), receivedOn: try requiredDate("received_on"),
                    reviewedOn: try date("reviewed_on"), outcome: try optionalChoice("outcome"), notifiedOn: try date("notified_on"), reason: text("reason"))
    }

    public func appeal() throws -> Appeal {
        Appeal(id: id, certNo: text("cert_no"), orgId: text("org_id"), receivedOn: try requiredDate("received_on"), repliedOn: try date("replied_on"))
    }

    public func misuseCase() throws -> MisuseCase {
        MisuseCase(id: id, certNo: requiredText("cert_no"), requestedOn: try requiredDate("requested_on"), correctedOn: try date("corrected_on"))
    }
}
