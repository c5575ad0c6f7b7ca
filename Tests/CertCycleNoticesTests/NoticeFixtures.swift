@testable import CertCycleCore
import CertCycleNotices

/// Hand-built notice data for the golden files: every stage, a provisional deadline, rows new
/// today, a status change, a compliance and a data finding, two letters, and organisation names
/// with characters that HTML, Markdown and CSV must escape.
enum NoticeFixtures {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d)! }

    static let asOf = date(2026, 12, 30)
    static let bodyName = "杭州中奥质量认证有限公司"
    static let hostileName = #"杭州<恒达>&"售后"'服务'有限公司"#
    static let pipeName = "温州|鹿城_售后*服务*中心"

    static func row(
        _ subject: String, _ kind: ObligationKind, _ stage: Stage, opens: CivilDate, due: CivilDate,
        escalationBy: Dated? = nil, clause: String? = nil, record: String? = nil, organization: String? = nil,
        name: String? = nil, manDays: Int? = nil, new: Bool = false
    ) -> DigestRow {
        let o = Obligation(
            subject: subject, subjectType: kind.subjectType, kind: kind, stage: stage, opens: opens, due: due,
            escalation: kind.escalation, escalationBy: escalationBy, clause: clause ?? kind.clause, record: record,
            organization: organization, manDaysHundredths: manDays
        )
        return DigestRow(obligation: o, title: kind.chineseName, organizationName: name, isNewStage: new)
    }

    static let obligations: [DigestRow] = [
        row("CAS-2025-000410", .surveillance, .upcoming, opens: date(2027, 1, 15), due: date(2027, 4, 15),
            organization: "ORG-000410", manDays: 150),
        row("CAS-2024-000123", .surveillance, .overdue, opens: date(2026, 9, 1), due: date(2026, 12, 1),
            escalationBy: Dated(date(2026, 12, 8)), organization: "ORG-000123", name: hostileName, manDays: 250),
        row("CAS-2023-000045", .correctiveAction, .overdue, opens: date(2026, 10, 29), due: date(2026, 12, 29),
            escalationBy: Dated(date(2027, 1, 6), provisional: true), record: "NC-2026-0031", organization: "ORG-000045",
            name: "宁波海曙家电服务有限公司", new: true),
        row("CAS-2022-000007", .suspensionLimit, .overdue, opens: date(2026, 6, 10), due: date(2026, 12, 10),
            escalationBy: Dated(date(2026, 12, 17)), record: "SUS-2026-0002", organization: "ORG-000007",
            name: "绍兴越城电器维修有限公司"),
        row("CAS-2025-000020", .surveillance, .due, opens: date(2026, 10, 10), due: date(2027, 1, 10),
            organization: "ORG-000020", name: "湖州吴兴售后服务有限公司", manDays: 200),
        row("CAS-2025-000010", .surveillance, .due, opens: date(2026, 10, 10), due: date(2027, 1, 10),
            organization: "ORG-000010", name: "嘉兴南湖家居服务有限公司", manDays: 300),
        row("CAS-2024-000200", .recertificationApplication, .due, opens: date(2026, 12, 30), due: date(2027, 3, 30),
            organization: "ORG-000200", name: "金华婺城汽车服务有限公司", new: true),
        row("CAS-2024-000300", .certificateExpiry, .due, opens: date(2026, 11, 30), due: date(2026, 12, 30),
            organization: "ORG-000300", name: "台州椒江物流服务有限公司"),
        row("APL-2026-0009", .appealReply, .due, opens: date(2026, 11, 20), due: date(2027, 1, 19),
            organization: "ORG-000088"),
        row("APP-2026-0077", .applicationNotice, .due, opens: date(2026, 12, 28), due: date(2027, 1, 2),
            organization: "ORG-000501", name: pipeName),
    ]

    static let suspension = PublicChange(
        date: asOf, status: .suspended, previousStatus: .active, scope: "家用电器的安装、维修服务", star: .none,
        validThrough: date(2027, 5, 19), clause: "9.3.2.1(4)"
    )

    static let day = DayNotices(
        asOf: asOf, bodyName: bodyName, obligations: obligations,
        findings: [
            Finding(kind: .data, certificate: "CAS-2024-000300", clause: "5",
                    message: "证书上的有效期 2026-12-30 与规则计算的 2026-12-29 不一致，已按证书所载日期处理"),
            Finding(kind: .compliance, certificate: "CAS-2022-000099", record: "SUS-2026-0005", clause: "9.3.2.1",
                    message: "暂停决定于 2026-12-30 作出，距原因核实（2026-12-18）已超过 5 个工作日（应不迟于 2026-12-25）"),
        ],
        statusChanges: [
            StatusChangeRow(certificate: "CAS-2022-000099", organizationName: "丽水莲都<电器>服务部", change: suspension),
        ],
        letters: [
            Letter(fileName: LetterName.status(organization: "ORG-000099", certificate: "CAS-2022-000099", status: .suspended),
                   organization: "ORG-000099"),
            Letter(fileName: LetterName.obligation(organization: "ORG-000045", subject: "CAS-2023-000045", kind: .correctiveAction,
                                                   stage: "overdue", record: "NC-2026-0031"),
                   organization: "ORG-000045"),
        ]
    )

    /// The organisation, certificate and date every golden letter is written for. The name has
    /// `&` and `<`: letters are plain text and must print it as it is.
    static let organization = Organization(
        id: "ORG-000123", name: "杭州恒达<电器>&售后服务有限公司", address: "浙江省杭州市西湖区文三路 100 号", employees: 150,
        contactEmail: "service@hengda.example.cn"
    )
    static let head = LetterHead(bodyName: bodyName, address: "浙江省杭州市西湖区文三路 90 号", contactPerson: "认证业务部 王敏",
                                 telephone: "0571-8888 0000")
    static let extras = LetterExtras(reference: "中奥认证函〔2026〕1230-001号", respondBy: Dated(date(2027, 1, 7)))
    static let certificate = Certificate(certNo: "CAS-2024-000123", orgId: "ORG-000123", scope: "家用电器的安装、维修和退换货服务")
    static let validThrough = date(2027, 3, 9)
}
