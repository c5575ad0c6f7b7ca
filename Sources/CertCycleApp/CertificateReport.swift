public import CertCycleCore
public import CertCycleRegister
import Foundation
import CertCycleNotices

/// `certcycle show CERT`: everything about one certificate on one date, for staff.
public enum CertificateReport {
    /// Deliveries of the certificate's events, with their attempts, for the "events" section.
    public struct EventDelivery: Sendable {
        public var delivery: Delivery
        public var event: OutboxEvent
        public var attempts: [DeliveryAttempt]

        public init(delivery: Delivery, event: OutboxEvent, attempts: [DeliveryAttempt]) {
            self.delivery = delivery
            self.event = event
            self.attempts = attempts
        }
    }

    public static func render(_ file: CertificateFile, rules: CertificationRules, asOf date: CivilDate, events: [EventDelivery] = []) -> String {
        let history = CertificateHistory(file)
        let c = file.certificate
        var out = "证书 \(c.certNo)（截至 \(date)）\n"
        if let org = file.organization {
            out += "组织：\(org.name)（\(org.id)），与服务相关员工 \(org.employees) 人"
            if let code = org.creditCode { out += "，统一社会信用代码 \(code)" }
            out += "\n"
            if let address = org.address { out += "地址：\(address)\n" }
        } else {
            out += "组织：\(c.orgId)\n"
        }
        out += "认证范围：\(c.scope)\n标准：\(c.standard)\n"
        if !c.serviceSites.isEmpty { out += "服务场所：\(c.serviceSites.joined(separator: "；"))\n" }

        if let state = rules.publicState(of: history, on: date) {
            out += "状态：\(state.status.chineseName)（\(state.status.rawValue)），自 \(state.since) 起；星级：\(state.star.chineseName)；"
            out += "发证 \(state.issuedOn)，有效期至 \(state.validThrough)\n"
            if state.scope != c.scope { out += "公布的认证范围（部分暂停）：\(state.scope)\n" }
        } else {
            out += "状态：尚未发证\n"
        }

        let changes = history.publicChanges(through: date, settings: rules.settings)
        if !changes.isEmpty {
            var table = TextTable(header: ["日期", "状态", "星级", "有效期至", "条款", "范围"])
            for change in changes {
                table.append([change.date.description, change.status.chineseName, change.star.chineseName,
                              change.validThrough.description, change.clause, change.scope == c.scope ? "" : change.scope])
            }
            out += "\n状态历史：\n" + table.render()
        }

        if !file.audits.isEmpty {
            var table = TextTable(header: ["审查", "类型", "现场", "得分", "扣分项", "结论", "决定日期", "决定人"])
            for audit in file.audits.sorted(by: { ($0.onsiteEnd, $0.id) < ($1.onsiteEnd, $1.id) }) {
                let onsite = (audit.onsiteStart.map { "\($0)–" } ?? "") + audit.onsiteEnd.description
                let verdict = audit.evaluation.map { $0.passes ? ($0.recommendsFiveStar ? "通过（五星）" : "通过") : "不通过" } ?? ""
                table.append([audit.id, audit.kind.rawValue, onsite, audit.score.map(CellValue.format) ?? "",
                              audit.deductions.map(String.init) ?? "", verdict, audit.decisionDate?.description ?? "", audit.decidedBy ?? ""])
            }
            out += "\n审查记录：\n" + table.render()
        }

        let obligations = rules.obligations(of: history, on: date).sorted(by: Obligation.staffOrder)
        out += "\n\(date) 的待办事项：\(obligations.isEmpty ? "无" : "")\n"
        if !obligations.isEmpty {
            var table = TextTable(header: ObligationOutput.tableHeader)
            for o in obligations { table.append(ObligationOutput.tableRow(o, asOf: date, organizationName: file.organization?.name)) }
            out += table.render()
        }
        let findings = rules.findings(of: history, on: date)
        if !findings.isEmpty {
            out += "\n提示：\n" + findings.map(FindingOutput.line).joined(separator: "\n") + "\n"
        }
        if !events.isEmpty {
            var table = TextTable(header: ["事件", "类型", "生效", "端点", "状态", "尝试"])
            for item in events {
                let tries = item.attempts.map { attempt in
                    "#\(attempt.attempt) \(Self.time(attempt.at)) " + (attempt.statusCode.map { "HTTP \($0)" } ?? attempt.error ?? "")
                }.joined(separator: "; ")
                table.append([item.event.id, item.event.type, item.event.effectiveOn.description, item.delivery.endpoint,
                              item.delivery.status.rawValue, tries])
            }
            out += "\n发布事件（webhook）：\n" + table.render()
        }
        return out
    }
}

extension CertificateReport {
    /// Unix seconds as an ISO 8601 UTC time, as delivery attempts are shown.
    public static func time(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}
