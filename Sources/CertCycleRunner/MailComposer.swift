import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCyclePublish
import CertCycleRegister
import Foundation

/// The day's e-mail, worked out from what the day writes: one message per letter to its
/// organisation's `contact_email` (text and the print copy as alternatives), and one digest per
/// staff address (the HTML digest, a text part, obligations.csv attached). Pure: the outbox
/// events it returns are queued in the day's transaction.
struct MailComposer {
    var settings: MailSettings
    /// The Date header: when the day was recorded.
    var date: Date

    /// `file` reads one of the day folder's files by its path in the folder.
    /// `notices.letters[i]` is the letter of `plan.drafts[i]`.
    func messages(day: CivilDate, plan: DayPlan, notices: DayNotices, file: (String) -> Data?) -> [OutboxEvent] {
        var events: [OutboxEvent] = []
        let created = date.timeIntervalSince1970
        let domain = settings.from.address.domain
        if settings.letters {
            for record in plan.records {
                guard let index = record.draft, let address = plan.drafts[index].contactEmail.flatMap(MailAddress.init) else { continue }
                let letter = notices.letters[index]
                // The letter as written into the day's folder just placed.
                let text = file("letters/" + letter.fileName).map { String(decoding: $0, as: UTF8.self) } ?? ""
                let html = file("letters/" + letter.htmlFileName).map { String(decoding: $0, as: UTF8.self) }
                let message = MailMessage(
                    from: settings.from, to: MailMailbox(name: letter.organizationName, address: address),
                    subject: Self.letterSubject(letter, text: text), date: date,
                    // The letter's ledger record: the same Message-ID however often it is sent.
                    messageID: MailMessage.messageID(key: "letter|\(record.kind.rawValue)|\(plan.key(record))", kind: "letter", domain: domain),
                    text: text, html: html)
                events.append(QueuedMail.event(message, type: QueuedMail.letterType, day: day, createdAt: created))
            }
        }
        let subject = Self.digestSubject(notices)
        let text = file("digest.md").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let html = file("digest.html").map { String(decoding: $0, as: UTF8.self) }
        let csv = file("obligations.csv").map { [MailMessage.Attachment(fileName: "obligations-\(day).csv", contentType: "text/csv; charset=utf-8", data: $0)] } ?? []
        for address in settings.staff {
            let message = MailMessage(
                from: settings.from, to: MailMailbox(name: nil, address: address), subject: subject, date: date,
                messageID: MailMessage.messageID(key: "digest|\(day)|\(address.value)", kind: "digest", domain: domain),
                text: text, html: html, attachments: csv)
            events.append(QueuedMail.event(message, type: QueuedMail.digestType, day: day, createdAt: created))
        }
        return events
    }

    /// The letter's title and reference: `监督审查通知（中奥认证函〔2026〕1202-003号）`.
    static func letterSubject(_ letter: Letter, text: String) -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // The layout every template follows (LetterHTML): the body's name, the reference, the title.
        let title = lines.dropFirst().first { !$0.contains("〔") } ?? lines.first ?? "通知"
        guard let reference = letter.reference else { return title }
        return "\(title)（\(reference)）"
    }

    /// `每日提醒 2026-12-02：逾期 3 项，到期 12 项，即将到期 40 项，信函 5 封（需邮寄 1 封）`.
    static func digestSubject(_ notices: DayNotices) -> String {
        var stages: [Stage: Int] = [:]
        for row in notices.obligations { stages[row.obligation.stage, default: 0] += 1 }
        let toPost = notices.letters.count { $0.emailed == false }
        var subject = "\(notices.bodyName)每日提醒 \(notices.asOf)：逾期 \(stages[.overdue] ?? 0) 项，到期 \(stages[.due] ?? 0) 项，"
            + "即将到期 \(stages[.upcoming] ?? 0) 项，信函 \(notices.letters.count) 封"
        if toPost > 0 { subject += "（需邮寄 \(toPost) 封）" }
        if !notices.statusChanges.isEmpty { subject += "，状态变更 \(notices.statusChanges.count) 项" }
        return subject
    }
}
