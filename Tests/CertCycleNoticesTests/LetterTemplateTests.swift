@testable import CertCycleCore
import CertCycleTestSupport
import Foundation
import Testing
@testable import CertCycleNotices

@Suite("letters: the templates of Jobs/templates and their contexts")
struct LetterTemplateTests {
    static let templatesFolder = packageRoot.appendingPathComponent("Jobs/templates").path
    typealias F = NoticeFixtures

    /// The obligation behind each obligation template, on the fixtures' date (2026-12-30).
    static let obligationRows: [String: DigestRow] = [
        "surveillance-upcoming": F.row("CAS-2024-000123", .surveillance, .upcoming, opens: F.date(2027, 1, 15), due: F.date(2027, 4, 15), organization: "ORG-000123", manDays: 250),
        "surveillance-reminder": F.row("CAS-2024-000123", .surveillance, .due, opens: F.date(2026, 10, 15), due: F.date(2027, 1, 15), organization: "ORG-000123", manDays: 250),
        "surveillance-overdue": F.row("CAS-2024-000123", .surveillance, .overdue, opens: F.date(2026, 9, 1), due: F.date(2026, 12, 1), escalationBy: Dated(F.date(2026, 12, 8)), organization: "ORG-000123", manDays: 250),
        "recertification_application-due": F.row("CAS-2024-000123", .recertificationApplication, .due, opens: F.date(2026, 9, 9), due: F.date(2026, 12, 31), organization: "ORG-000123"),
        "recertification_application-overdue": F.row("CAS-2024-000123", .recertificationApplication, .overdue, opens: F.date(2026, 9, 9), due: F.date(2026, 12, 9), organization: "ORG-000123"),
        "certificate_expiry-due": F.row("CAS-2024-000123", .certificateExpiry, .due, opens: F.date(2026, 12, 1), due: F.date(2026, 12, 31), organization: "ORG-000123"),
        "corrective_action-reminder": F.row("CAS-2024-000123", .correctiveAction, .due, opens: F.date(2026, 11, 13), due: F.date(2027, 1, 13), record: "NC-2026-0031", organization: "ORG-000123"),
        "corrective_action-overdue": F.row("CAS-2024-000123", .correctiveAction, .overdue, opens: F.date(2026, 10, 29), due: F.date(2026, 12, 29), escalationBy: Dated(F.date(2027, 1, 6), provisional: true), record: "NC-2026-0031", organization: "ORG-000123"),
        "suspension_limit-overdue": F.row("CAS-2024-000123", .suspensionLimit, .overdue, opens: F.date(2026, 6, 10), due: F.date(2026, 12, 10), escalationBy: Dated(F.date(2026, 12, 17)), record: "SUS-2026-0002", organization: "ORG-000123"),
        "misuse_correction-due": F.row("CAS-2024-000123", .misuseCorrection, .due, opens: F.date(2026, 12, 30), due: F.date(2027, 2, 28), record: "MIS-2026-0004", organization: "ORG-000123"),
        "misuse_correction-overdue": F.row("CAS-2024-000123", .misuseCorrection, .overdue, opens: F.date(2026, 10, 20), due: F.date(2026, 12, 20), escalationBy: Dated(F.date(2026, 12, 25)), record: "MIS-2026-0004", organization: "ORG-000123"),
        "application_notice-due": F.row("APP-2026-0077", .applicationNotice, .due, opens: F.date(2026, 12, 28), due: F.date(2027, 1, 2), organization: "ORG-000123"),
    ]

    static func change(_ status: CertificateStatus, from previous: CertificateStatus, clause: String) -> PublicChange {
        PublicChange(date: F.asOf, status: status, previousStatus: previous, scope: F.certificate.scope, star: .none,
                     validThrough: status == .expired ? F.asOf.addingDays(-1) : F.validThrough, clause: clause)
    }

    static let reducedScope = "家用电器的安装、维修服务"

    static func scopeChange(reduced: Bool) -> PublicChange {
        var change = PublicChange(date: F.asOf, status: .active, previousStatus: .active, scope: reduced ? reducedScope : F.certificate.scope,
                                  star: .none, validThrough: F.validThrough, clause: "9.3.2.1",
                                  previousScope: reduced ? F.certificate.scope : reducedScope, previousStar: .none, previousValidThrough: F.validThrough)
        change.scopeIsReduced = reduced
        return change
    }

    static let starRemoval = PublicChange(date: F.asOf, status: .active, previousStatus: .active, scope: F.certificate.scope, star: .none,
                                          validThrough: F.validThrough, clause: "7.5", previousScope: F.certificate.scope,
                                          previousStar: .fiveStar, previousValidThrough: F.validThrough)

    static let partialSuspension = Suspension(id: "SUS-2026-0006", certNo: "CAS-2024-000123", reason: 1, causeVerifiedOn: F.date(2026, 12, 24),
                                              startOn: F.asOf, reducedScope: reducedScope)

    static let suspension = Suspension(id: "SUS-2026-0005", certNo: "CAS-2024-000123", reason: 4, causeVerifiedOn: F.date(2026, 12, 24), startOn: F.asOf)

    /// The fixed context each template is rendered with for its golden file.
    static func context(_ name: String) -> [String: Any] {
        if var row = obligationRows[name] {
            if name == "application_notice-due" {
                row.obligation.receivedOn = F.date(2026, 12, 20)
                row.obligation.reason = "申请资料不齐全：未提供服务管理体系有效运行 3 个月以上的证据（第 6.1.2 条第（6）项）"
            }
            let certificate = row.obligation.subjectType == .certificate ? F.certificate : nil
            // The validity that goes with the obligation's dates (RULES §4).
            let validThrough: CivilDate? = switch row.obligation.kind {
            case .certificateExpiry: row.obligation.due
            case .recertificationApplication: row.obligation.due.addingMonths(3)
            default: certificate.map { _ in F.validThrough }
            }
            return LetterContext.obligation(row, organization: F.organization, certificate: certificate, validThrough: validThrough,
                                            asOf: F.asOf, head: F.head, star: name == "surveillance-upcoming" ? .fiveStar : .none, extras: F.extras)
        }
        if name == "appeal_reply-reply" {
            var appeal = F.row("APL-2026-0009", .appealReply, .due, opens: F.date(2026, 11, 20), due: F.date(2027, 1, 19), organization: "ORG-000123")
            appeal.obligation.receivedOn = F.date(2026, 11, 20)
            var extras = F.extras
            extras.decision = "经复核审查记录和现场证据，维持原暂停决定。\n贵单位完成整改并经验证后，可申请恢复认证证书。"
            return LetterContext.obligation(appeal, organization: F.organization, certificate: nil, validThrough: nil, asOf: F.asOf,
                                            head: F.head, extras: extras)
        }
        let (change, suspension): (PublicChange, Suspension?) = switch name {
        case "status-suspended": (Self.change(.suspended, from: .active, clause: "9.3.2.1(4)"), Self.suspension)
        case "status-withdrawn": (Self.change(.withdrawn, from: .suspended, clause: "9.3.3.1(5)"), nil)
        case "status-expired": (Self.change(.expired, from: .active, clause: "5"), nil)
        case "status-scope_reduced": (Self.scopeChange(reduced: true), Self.partialSuspension)
        case "status-scope_restored": (Self.scopeChange(reduced: false), nil)
        case "status-star_removed": (Self.starRemoval, nil)
        default: (Self.change(.active, from: .suspended, clause: "9.3.2"), nil)
        }
        return LetterContext.statusChange(change, certificate: F.certificate, organization: F.organization, suspension: suspension,
                                          asOf: F.asOf, head: F.head, extras: F.extras)
    }

    static func shipped() throws -> LetterTemplates { try LetterTemplates.load(directory: templatesFolder) }

    @Test("Jobs/templates holds exactly the standard letters, each opening with a comment")
    func shippedSet() throws {
        let templates = try Self.shipped()
        #expect(templates.names == LetterTemplates.standardNames.sorted())
        #expect(templates.missing().isEmpty)
        for name in templates.names {
            let text = try String(contentsOfFile: Self.templatesFolder + "/\(name).mustache", encoding: .utf8)
            #expect(text.hasPrefix("{{!"), "\(name) must start with a comment listing its variables")
            #expect(!text.contains("\r"), "\(name) has CR line ends")
        }
    }

    @Test("the shipped templates use only variables their letters have")
    func shippedVariables() throws {
        #expect(try Self.shipped().unknownVariables().map(\.description) == [])
    }

    @Test("each template renders its golden letter", arguments: LetterTemplates.standardNames)
    func golden(_ name: String) throws {
        let text = try Self.shipped().render(name, Self.context(name))
        let mismatch = goldenMismatch(text, file: "Tests/CertCycleNoticesTests/Golden/letters/\(name).txt")
        #expect(mismatch == nil, "\(mismatch ?? "")")
        #expect(!text.contains("{{"))
        guard !name.hasPrefix("_") else { return }
        #expect(text.contains("致：杭州恒达<电器>&售后服务有限公司\n"))
        #expect(text.hasPrefix("杭州中奥质量认证有限公司\n中奥认证函〔2026〕1230-001号\n\n"))
        #expect(text.hasSuffix("地址：浙江省杭州市西湖区文三路 90 号\n\n杭州中奥质量认证有限公司（盖章）\n2026年12月30日\n"))
        #expect(text.contains("联系人：认证业务部 王敏　　电话：0571-8888 0000\n"))
        #expect(!text.contains("\n\n\n"), "no double blank lines")
    }

    @Test("7.2: an extra audit is announced as a special surveillance, with the reason the register gives")
    func extraAudit() throws {
        var row = F.row("CAS-2024-000123", .surveillance, .due, opens: F.date(2026, 12, 20), due: F.date(2027, 1, 20), clause: "7.2",
                        record: "AU-2026-0091", organization: "ORG-000123")
        row.obligation.reason = "相关方对获证组织的售后服务多次投诉，经核实情况属实"
        let context = LetterContext.obligation(row, organization: F.organization, certificate: F.certificate, validThrough: F.validThrough,
                                               asOf: F.asOf, head: F.head, extras: F.extras)
        let text = try Self.shipped().render("surveillance-upcoming", context)
        let mismatch = goldenMismatch(text, file: "Tests/CertCycleNoticesTests/Golden/letters/surveillance-upcoming-extra.txt")
        #expect(mismatch == nil, "\(mismatch ?? "")")
        #expect(text.contains("特殊监督审查通知"))
        #expect(text.contains("本机构认定贵单位出现上述情形：相关方对获证组织的售后服务多次投诉，经核实情况属实。"))
        #expect(!text.contains("例行监督审查应在"))
    }

    @Test("letters are plain text: & < > and quotes come out unchanged with {{x}} and {{{x}}}")
    func noEscaping() throws {
        let templates = try LetterTemplates(sources: ["t": "{{name}}|{{{name}}}|{{&name}}\n"])
        #expect(try templates.render("t", ["name": #"A&B <C> "D" 'E'"#]) == #"A&B <C> "D" 'E'|A&B <C> "D" 'E'|A&B <C> "D" 'E'"# + "\n")
    }

    @Test("a template that does not parse is refused, naming the file, the line and the problem in one line")
    func parseError() throws {
        let folder = try TemporaryFolder("templates")
        defer { folder.cleanUp() }
        try "{{! fine }}\n好\n".write(toFile: folder.path("good.mustache"), atomically: true, encoding: .utf8)
        try "第一行\n{{#has_record}}\n{{/has_recrod}}\n".write(toFile: folder.path("broken.mustache"), atomically: true, encoding: .utf8)
        #expect {
            _ = try LetterTemplates.load(directory: folder.path)
        } throws: { error in
            guard let error = error as? TemplateError else { return false }
            return error.file == folder.path("broken.mustache") && error.line == 3
                && error.description.hasPrefix(folder.path("broken.mustache") + ":3: a section is closed with another name")
                && !error.description.contains("\n")
        }
    }

    @Test("an unclosed section is reported with its file")
    func unclosed() {
        #expect(throws: TemplateError.self) { try LetterTemplates(sources: ["x": "{{#a}}\n"]) }
        do {
            _ = try LetterTemplates(sources: ["x": "a\n{{#a}}\n"], files: ["x": "Jobs/templates/x.mustache"])
        } catch {
            #expect(error.file == "Jobs/templates/x.mustache")
            #expect(error.message.contains("never closed"))
        }
    }

    @Test("a missing folder and an unknown template name are errors")
    func missing() throws {
        #expect(throws: TemplateError.self) { try LetterTemplates.load(directory: "/nonexistent/templates") }
        let templates = try LetterTemplates(sources: ["a": "x"])
        #expect(templates.has("a"))
        #expect(!templates.has("b"))
        #expect(throws: TemplateError.self) { try templates.render("b", [:]) }
    }

    @Test("Windows line ends and a byte-order mark are removed on loading")
    func windowsFiles() throws {
        let templates = try LetterTemplates(sources: ["w": "\u{FEFF}{{! c }}\r\n一\r\n{{x}}\r\n"])
        #expect(try templates.render("w", ["x": "二"]) == "一\n二\n")
    }

    @Test("a misspelt variable is reported with its file and line")
    func unknownVariable() throws {
        let templates = try LetterTemplates(sources: ["surveillance-due": "{{organization_name}}\n{{#has_record}}{{organisation_name}}{{/has_record}}\n{{lowercased(kind)}}\n"])
        let problems = templates.unknownVariables()
        #expect(problems.count == 1)
        #expect(problems.first?.line == 2)
        #expect(problems.first?.message.hasPrefix("unknown variable 'organisation_name'") == true)
    }

    @Test("a template that includes a part the folder does not have is reported with its file and line")
    func missingPartial() throws {
        let templates = try LetterTemplates(sources: ["surveillance-due": "{{> _letterhead}}\n正文\n{{> _signatur}}\n", "_letterhead": "{{body_name}}\n"])
        let problems = templates.unknownVariables()
        #expect(problems.map(\.description) == ["surveillance-due.mustache:3: includes '{{> _signatur}}', which is not in the templates folder"])
    }

    @Test("dates in letters are written the Chinese way, without zero padding")
    func chineseDates() {
        #expect(chineseDate(F.date(2026, 2, 14)) == "2026年2月14日")
        #expect(chineseDate(F.date(2026, 12, 1)) == "2026年12月1日")
    }

    @Test("an obligation letter's context has every key, days and optional values as documented")
    func obligationContext() {
        let context = Self.context("corrective_action-overdue")
        #expect(Set(context.keys) == LetterContext.obligationKeys)
        #expect(context["days_overdue"] as? Int == 1)
        #expect(context["days_remaining"] as? Int == 0)
        #expect(context["escalation_by"] as? String == "2027年1月6日")
        #expect(context["provisional"] as? Bool == true)
        #expect(context["escalation"] as? String == "暂停证书")
        #expect(context["escalation_clause"] as? String == "第 9.3.2.1 条第（1）项")
        #expect(context["escalation_by_passed"] as? Bool == false)
        #expect(context["due_passed"] as? Bool == true)
        #expect(context["reference"] as? String == "中奥认证函〔2026〕1230-001号")
        #expect(context["record"] as? String == "NC-2026-0031")
        #expect(context["man_days"] as? String == "")
        #expect(context["has_man_days"] as? Bool == false)
        #expect(context["valid_through"] as? String == "2027年3月9日")
        #expect(context["date_iso"] as? String == "2026-12-30")
        let upcoming = Self.context("surveillance-upcoming")
        #expect(upcoming["man_days"] as? String == "2.5")
        #expect(upcoming["star"] as? String == "五星级")
        #expect(upcoming["days_remaining"] as? Int == 106)
        #expect(upcoming["days_overdue"] as? Int == 0)
    }

    @Test("without the organisation's record, its name falls back to the row's name, then to its id")
    func organizationFallback() {
        let row = F.row("CAS-1", .surveillance, .due, opens: F.asOf, due: F.asOf, organization: "ORG-9")
        let byId = LetterContext.obligation(row, organization: nil, certificate: nil, validThrough: nil, asOf: F.asOf, head: LetterHead(bodyName: "B"))
        #expect(byId["organization_name"] as? String == "ORG-9")
        #expect(byId["certificate"] as? String == "CAS-1")
        var named = row
        named.organizationName = "某公司"
        let byName = LetterContext.obligation(named, organization: nil, certificate: nil, validThrough: nil, asOf: F.asOf, head: LetterHead(bodyName: "B"))
        #expect(byName["organization_name"] as? String == "某公司")
    }

    @Test("a suspension letter states the 6-month limit, or the licensing decision for reason (5) (9.3.2.2)")
    func suspensionPeriod() throws {
        let change = Self.change(.suspended, from: .active, clause: "9.3.2.1(5)")
        let normal = LetterContext.statusChange(change, certificate: F.certificate, organization: nil, suspension: Self.suspension, asOf: F.asOf, head: LetterHead(bodyName: "B"))
        #expect(Set(normal.keys) == LetterContext.statusKeys)
        #expect(normal["suspension_until"] as? String == "2027年6月30日")
        #expect(normal["licence_pending"] as? Bool == false)
        #expect(normal["organization_name"] as? String == "ORG-000123")
        var licence = Self.suspension
        licence.reason = Suspension.licenceRenewalReason
        let pending = LetterContext.statusChange(change, certificate: F.certificate, organization: nil, suspension: licence, asOf: F.asOf, head: LetterHead(bodyName: "B"))
        #expect(pending["suspension_until"] as? String == "")
        #expect(pending["licence_pending"] as? Bool == true)
        let text = try Self.shipped().render("status-suspended", pending)
        #expect(text.contains("暂停期限：自2026年12月30日起，至相关部门作出许可决定之日止"))
        #expect(!text.contains("最长不超过 6 个月"))
    }
}
