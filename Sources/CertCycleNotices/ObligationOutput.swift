public import CertCycleCore
import CertCycleCSV

/// The three shapes of `scan` output: JSONL (the contract of INTERFACE.md, for programs),
/// CSV (for Excel, UTF-8 with BOM) and a table (for staff at a terminal).
public enum ObligationOutput {
    /// One obligation as the JSONL contract gives it; fields after `provisional` are extras.
    public static func jsonLine(_ o: Obligation, asOf date: CivilDate, organizationName: String? = nil) -> String {
        var line = JSONLine()
        addFields(o, asOf: date, organizationName: organizationName, to: &line)
        return line.string
    }

    /// The fields of a scan line, in their order, added to `line` (also used by `explain`).
    public static func addFields(_ o: Obligation, asOf date: CivilDate, organizationName: String? = nil, to line: inout JSONLine) {
        line.add("subject", o.subject)
        line.add("subject_type", o.subjectType.rawValue)
        line.add("kind", o.kind.rawValue)
        line.add("stage", o.stage.rawValue)
        line.add("opens", o.opens.description)
        line.add("due", o.due.description)
        line.add("escalation", o.escalation.rawValue)
        line.add("escalation_by", o.escalationBy?.date.description)
        line.add("clause", o.clause)
        line.add("provisional", o.provisional)
        line.add("escalation_clause", o.kind.escalationClause)
        line.add("record", o.record)
        line.add("organization", o.organization)
        line.add("organization_name", organizationName)
        line.add("days_remaining", o.daysRemaining(asOf: date))
        line.add("man_days", number: o.manDaysHundredths.map(ManDays.format))
        line.add("escalation_taken", o.escalationTaken?.description)
        line.add("next_escalation", o.nextStep?.escalation.rawValue)
        line.add("next_escalation_from", o.nextStep?.from?.description)
        line.add("next_escalation_by", o.nextStep?.by?.date.description)
    }

    public static let csvHeader = [
        "subject", "subject_type", "kind", "kind_zh", "stage", "stage_zh", "opens", "due", "days_remaining",
        "escalation", "escalation_by", "clause", "escalation_clause", "provisional", "record", "organization",
        "organization_name", "man_days", "escalation_taken",
    ]

    public static func csvRow(_ o: Obligation, asOf date: CivilDate, organizationName: String? = nil) -> [String] {
        [
            o.subject, o.subjectType.rawValue, o.kind.rawValue, o.kind.chineseName, o.stage.rawValue, o.stage.chineseName,
            o.opens.description, o.due.description, String(o.daysRemaining(asOf: date)), o.escalation.rawValue,
            o.escalationBy?.date.description ?? "", o.clause, o.kind.escalationClause ?? "", o.provisional ? "true" : "false",
            o.record ?? "", o.organization ?? "", organizationName ?? "", DigestText.manDays(o), o.escalationTaken?.description ?? "",
        ]
    }

    /// The header of the staff's `obligations.csv` in the notice folder: Chinese, like its values
    /// (RULES §8); programs read `scan --format jsonl` instead.
    public static let staffCSVHeader = [
        "阶段", "类型", "对象", "记录", "组织编号", "组织名称", "开始日期", "截止日期", "剩余天数", "剩余/逾期",
        "逾期处理", "处理期限", "处理期限已过", "已暂停日期", "条款", "处理条款", "日期暂定", "人日", "今日新增", "存量",
    ]

    /// One row of the staff's `obligations.csv`.
    public static func staffCSVRow(_ row: DigestRow, asOf date: CivilDate) -> [String] {
        let o = row.obligation
        return [
            o.stage.chineseName, row.title.isEmpty ? o.kind.chineseName : row.title, o.subject, o.record ?? "", o.organization ?? "",
            row.organizationName ?? "", o.opens.description, o.due.description, String(o.daysRemaining(asOf: date)),
            DigestText.remaining(o, asOf: date), DigestText.escalation(o), DigestText.escalationBy(o),
            DigestText.escalationLate(o, asOf: date) ? "是" : "否", o.escalationTaken?.description ?? "",
            ClauseCitation.chinese(o.clause), o.kind.escalationClause.map(ClauseCitation.chinese) ?? "",
            o.provisional ? "是" : "否", DigestText.manDays(o), row.isNewStage && !row.isBacklog ? "是" : "否", row.isBacklog ? "是" : "否",
        ]
    }

    public static let tableHeader = ["阶段", "类型", "对象", "组织", "开始", "截止", "剩余", "逾期处理", "处理期限", "条款", "人日"]

    public static func tableRow(_ o: Obligation, asOf date: CivilDate, organizationName: String? = nil) -> [String] {
        let days = o.daysRemaining(asOf: date)
        let remaining = days >= 0 ? "剩 \(days) 天" : "逾期 \(-days) 天"
        let subject = o.record.map { "\(o.subject)（\($0)）" } ?? o.subject
        return [
            o.stage.chineseName, o.kind.chineseName, subject, organizationName ?? o.organization ?? "",
            o.opens.description, o.due.description, remaining, DigestText.tableEscalation(o), DigestText.escalationBy(o),
            o.clause, DigestText.manDays(o),
        ]
    }
}

/// The shapes of `status` output.
public enum StatusOutput {
    public static func jsonLine(_ s: PublicState, organization: Organization?) -> String {
        var line = JSONLine()
        line.add("certificate", s.certificate)
        line.add("status", s.status.rawValue)
        line.add("since", s.since.description)
        line.add("star", s.star.rawValue)
        line.add("scope", s.scope)
        line.add("valid_through", s.validThrough.description)
        line.add("issued_on", s.issuedOn.description)
        line.add("clause", s.clause)
        line.add("organization", organization?.id)
        line.add("organization_name", organization?.name)
        return line.string
    }

    public static let csvHeader = ["certificate", "status", "status_zh", "since", "star", "scope", "valid_through", "issued_on",
                                   "clause", "organization", "organization_name"]

    public static func csvRow(_ s: PublicState, organization: Organization?) -> [String] {
        [s.certificate, s.status.rawValue, s.status.chineseName, s.since.description, s.star.rawValue, s.scope,
         s.validThrough.description, s.issuedOn.description, s.clause, organization?.id ?? "", organization?.name ?? ""]
    }

    public static let tableHeader = ["证书编号", "组织", "状态", "自", "星级", "有效期至", "认证范围"]

    public static func tableRow(_ s: PublicState, organization: Organization?) -> [String] {
        let scope = s.scope.count > 24 ? String(s.scope.prefix(23)) + "…" : s.scope
        return [s.certificate, organization?.name ?? "", s.status.chineseName, s.since.description, s.star.chineseName,
                s.validThrough.description, scope]
    }
}

/// How a finding reads in a table or digest.
public enum FindingOutput {
    public static func line(_ f: Finding) -> String {
        "[\(DigestText.findingKind(f))] \(f.certificate)：\(f.message)（条款 \(f.clause)）" + (f.provisional ? "（暂定：缺少日历数据）" : "")
    }
}

