/// The monthly report to CNCA (RULES §10; clauses 9.3.4 and 11): for one calendar month, the
/// certificates issued and renewed, the public status changes, the audits whose on-site work
/// ended, and the certified organisations these concern. Built one certificate at a time, so a
/// register of any size is read in one pass; only the organisations' ids are kept.
///
/// What the month "holds" is what the rules say happened in it (RULES §1): records dated in the
/// month, read with the rules as of the month's last day.
public struct ReportMonth: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init?(year: Int, month: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// `2026-11`; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII),
              let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        self.init(year: y, month: m)
    }

    /// The month `date` falls in.
    public init(containing date: CivilDate) {
        let (y, m, _) = date.parts
        year = y
        month = m
    }

    public var description: String { "\(year)-" + (month < 10 ? "0" : "") + String(month) }
    /// `2026年11月`.
    public var chineseName: String { "\(year)年\(month)月" }
    public var first: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    public var last: CivilDate { CivilDate(year: year, month: month, day: CivilDate.daysInMonth(year: year, month: month))! }
    public func contains(_ date: CivilDate) -> Bool { date >= first && date <= last }

    /// Months counted from year 0: consecutive months differ by one.
    public var index: Int { year * 12 + month - 1 }

    public var previous: ReportMonth { adding(-1) }
    public var next: ReportMonth { adding(1) }

    public func adding(_ months: Int) -> ReportMonth {
        let index = year * 12 + (month - 1) + months
        var m = self
        m.year = index / 12
        m.month = index % 12 + 1
        return m
    }
}

/// The report's four sheets, each with the fields a column of `Jobs/reports/monthly.toml` may
/// show. The ids are the contract between the layout file and the rows; the titles are the
/// layout's.
public enum ReportSheet: String, CaseIterable, Hashable, Sendable {
    case certificates
    case statusChanges = "status_changes"
    case audits
    case organizations

    /// Every field a column of the sheet may show, in the shipped layout's order.
    public var fields: [String] {
        switch self {
        case .certificates:
            ["cert_no", "org_id", "org_name", "credit_code", "issue_type", "decision_date", "valid_through", "standard", "scope", "star", "service_sites", "audit_id"]
        case .statusChanges:
            ["cert_no", "org_id", "org_name", "change", "date", "previous_status", "status", "previous_scope", "scope", "star", "valid_through", "clause"]
        case .audits:
            ["audit_id", "cert_no", "org_id", "org_name", "kind", "onsite_start", "onsite_end", "team", "man_days", "score", "decision_date", "decided_by", "reason"]
        case .organizations:
            ["org_id", "org_name", "credit_code", "address", "employees", "contact_email", "certificates"]
        }
    }
}

/// One value of a report cell: text, or a number a spreadsheet can add up.
public enum ReportValue: Hashable, Sendable {
    case text(String)
    case number(Double)
    case empty

    static func optional(_ text: String?) -> ReportValue { text.map { $0.isEmpty ? .empty : .text($0) } ?? .empty }
    static func optional(_ date: CivilDate?) -> ReportValue { date.map { .text($0.description) } ?? .empty }
    static func optional(_ number: Double?) -> ReportValue { number.map { .number($0) } ?? .empty }
}

/// One row of a sheet: a value per field id.
public struct ReportRow: Sendable {
    public var values: [String: ReportValue]

    public subscript(field: String) -> ReportValue { values[field] ?? .empty }
}

/// Sheet sizes, for the ledger record and the command's summary line.
public struct ReportCounts: Hashable, Sendable {
    public var certificates = 0
    public var issued = 0
    public var renewed = 0
    public var statusChanges = 0
    public var audits = 0
    public var organizations = 0

    public init() {}
}

/// Reads certificates one by one into rows of the first three sheets (handed to `emit` as they
/// are made) and collects the organisations they concern for the fourth.
public struct MonthlyReport: Sendable {
    public let month: ReportMonth
    public let settings: RuleSettings
    public private(set) var counts = ReportCounts()
    /// Organisation id → the certificates of the month's rows that belong to it.
    public private(set) var organizations: [String: [String]] = [:]

    public init(month: ReportMonth, settings: RuleSettings) {
        self.month = month
        self.settings = settings
    }

    /// The public changes counted as status changes: every one but an issue or a renewal
    /// (those are the first sheet's), i.e. suspended, restored, withdrawn, expired, a change of
    /// scope and a change of star grade.
    public static func isStatusChange(_ kind: PublicChange.Kind) -> Bool {
        kind != .issued && kind != .renewed
    }

    public mutating func add(_ history: CertificateHistory, emit: (ReportSheet, ReportRow) throws -> Void) rethrows {
        let file = history.file
        let certNo = file.certificate.certNo
        let org = file.organization
        let orgId = org?.id ?? file.certificate.orgId
        var concerned = false
        func common(_ row: inout [String: ReportValue]) {
            row["cert_no"] = .text(certNo)
            row["org_id"] = .text(orgId)
            row["org_name"] = .optional(org?.name)
        }

        // Sheet 1: a cycle decided in the month is an issue (initial audit) or a renewal.
        // (A new initial certification after an earlier cycle ended is an issue too.)
        for cycle in history.cycles where month.contains(cycle.decision) {
            var row: [String: ReportValue] = [:]
            common(&row)
            let issued = cycle.audit.kind == .initial
            row["credit_code"] = .optional(org?.creditCode)
            row["issue_type"] = .text(issued ? "初次认证" : "再认证")
            row["decision_date"] = .text(cycle.decision.description)
            row["valid_through"] = .text(cycle.validThrough.description)
            row["standard"] = .text(file.certificate.standard)
            row["scope"] = .text(file.certificate.scope)
            row["star"] = .text(cycle.fiveStar ? StarGrade.fiveStar.chineseName : StarGrade.none.chineseName)
            row["service_sites"] = .optional(file.certificate.serviceSites.joined(separator: "；"))
            row["audit_id"] = .text(cycle.audit.id)
            if issued { counts.issued += 1 } else { counts.renewed += 1 }
            counts.certificates += 1
            concerned = true
            try emit(.certificates, ReportRow(values: row))
        }

        // Sheet 2: what was published about the certificate changed in the month.
        for change in history.publicChanges(through: month.last, settings: settings)
        where month.contains(change.date) && Self.isStatusChange(change.kind) {
            var row: [String: ReportValue] = [:]
            common(&row)
            row["change"] = .text(Self.changeName(change))
            row["date"] = .text(change.date.description)
            row["previous_status"] = .optional(change.previousStatus?.chineseName)
            row["status"] = .text(change.status.chineseName)
            row["previous_scope"] = change.previousScope == change.scope ? .empty : .optional(change.previousScope)
            row["scope"] = .text(change.scope)
            row["star"] = .text(change.star.chineseName)
            row["valid_through"] = .text(change.validThrough.description)
            row["clause"] = .text(change.clause)
            counts.statusChanges += 1
            concerned = true
            try emit(.statusChanges, ReportRow(values: row))
        }

        // Sheet 3: audits whose on-site work ended in the month (RULES §4: an audit counts from
        // its on-site end), in on-site order.
        for audit in file.audits.sorted(by: { ($0.onsiteEnd, $0.id) < ($1.onsiteEnd, $1.id) }) where month.contains(audit.onsiteEnd) {
            var row: [String: ReportValue] = [:]
            common(&row)
            row["audit_id"] = .text(audit.id)
            row["kind"] = .text(Self.auditKindName(audit.kind))
            row["onsite_start"] = .optional(audit.onsiteStart)
            row["onsite_end"] = .text(audit.onsiteEnd.description)
            row["team"] = .optional(audit.team.joined(separator: "、"))
            row["man_days"] = .optional(audit.manDays)
            row["score"] = .optional(audit.score)
            row["decision_date"] = .optional(audit.decisionDate.flatMap { $0 <= month.last ? $0 : nil })
            row["decided_by"] = audit.decisionDate.map { $0 <= month.last } == true ? .optional(audit.decidedBy) : .empty
            row["reason"] = .optional(audit.reason)
            counts.audits += 1
            concerned = true
            try emit(.audits, ReportRow(values: row))
        }

        if concerned { organizations[orgId, default: []].append(certNo) }
    }

    /// Sheet 4's row for an organisation the month's rows concern (`organization` nil when the
    /// register lacks it: the row then names only the id).
    public static func organizationRow(id: String, organization: Organization?, certificates: [String]) -> ReportRow {
        var row: [String: ReportValue] = [:]
        row["org_id"] = .text(id)
        row["org_name"] = .optional(organization?.name)
        row["credit_code"] = .optional(organization?.creditCode)
        row["address"] = .optional(organization?.address)
        row["employees"] = organization.map { .number(Double($0.employees)) } ?? .empty
        row["contact_email"] = .optional(organization?.contactEmail)
        row["certificates"] = .text(certificates.joined(separator: "、"))
        return ReportRow(values: row)
    }

    public mutating func countOrganization() { counts.organizations += 1 }

    /// What the regulator reads in the change column.
    public static func changeName(_ change: PublicChange) -> String {
        switch change.kind {
        case .suspended: "暂停证书"
        case .restored: "恢复证书"
        case .withdrawn: "撤销证书"
        case .expired: "证书到期失效"
        case .scopeChanged: change.scopeReduced ? "缩小认证范围" : "恢复认证范围"
        case .starChanged: change.removesStar ? "撤销五星级" : "星级变更"
        case .issued: "颁发证书"
        case .renewed: "换发证书"
        }
    }

    public static func auditKindName(_ kind: AuditKind) -> String {
        switch kind {
        case .initial: "初次审查"
        case .surveillance: "监督审查"
        case .recertification: "再认证审查"
        case .special: "特殊监督审查"
        case .scopeExtension: "扩大认证范围审查"
        }
    }
}
