public import CertCycleCore
import Foundation

/// The variables a letter template sees, as Mustache context dictionaries.
///
/// Every letter has the common keys; obligation letters and status letters add their own
/// (see `obligationKeys` and `statusKeys`). Dates are written the Chinese way (`2026年2月14日`)
/// except `date_iso`. A value that is unknown is an empty string, never missing, and every text
/// variable `x` comes with a Bool `has_x` (true when `x` is not empty), so that a template can
/// write `{{#has_record}}…{{/has_record}}` (Mustache treats an empty string as true).
public enum LetterContext {
    /// Keys of every letter (without the `has_` companions).
    public static let commonKeys = [
        "body_name", "body_address", "contact_person", "contact_phone", "reference", "date", "date_iso",
        "organization_name", "organization_id", "organization_address", "contact_email", "certificate", "scope",
        "standard", "valid_through", "star", "respond_by", "respond_days",
    ]

    /// Keys an obligation letter adds.
    public static let obligationOnlyKeys = [
        "subject", "kind", "kind_title", "stage", "opens", "due", "days_remaining", "days_overdue", "escalation",
        "escalation_by", "clause", "escalation_clause", "record", "man_days", "provisional",
        "opens_passed", "due_passed", "escalation_by_passed", "escalation_taken", "suspension_limit", "suspension_limit_passed",
        "withdraw_by", "licence_pending", "due_stated", "extra_audit", "received_on", "suspended_since", "decision", "reason",
    ]

    /// Keys a status letter adds.
    public static let statusOnlyKeys = [
        "status", "previous_status", "effective_on", "status_clause", "suspension_until", "licence_pending",
        "reduced_scope", "previous_scope", "removed_scope",
    ]

    static let nonTextKeys: Set<String> = [
        "days_remaining", "days_overdue", "provisional", "opens_passed", "due_passed", "escalation_by_passed",
        "suspension_limit_passed", "licence_pending", "due_stated", "extra_audit", "respond_days",
    ]

    /// Every variable an obligation letter may use, `has_` companions included.
    public static var obligationKeys: Set<String> {
        withHasKeys(commonKeys + obligationOnlyKeys, except: nonTextKeys)
    }

    /// Every variable a status letter may use, `has_` companions included.
    public static var statusKeys: Set<String> {
        withHasKeys(commonKeys + statusOnlyKeys, except: nonTextKeys)
    }

    /// The context of a letter about an obligation reaching a stage (or a reminder).
    ///
    /// `star` is the certificate's grade on `asOf`, when the caller knows it.
    public static func obligation(
        _ row: DigestRow, organization: Organization?, certificate: Certificate?, validThrough: CivilDate?,
        asOf: CivilDate, head: LetterHead, star: StarGrade = .none, extras: LetterExtras = LetterExtras()
    ) -> [String: Any] {
        let o = row.obligation
        let days = o.daysRemaining(asOf: asOf)
        var context = common(
            head: head, extras: extras, asOf: asOf, organization: organization,
            organizationId: organization?.id ?? o.organization ?? certificate?.orgId ?? "",
            organizationName: row.organizationName,
            certificate: certificate?.certNo ?? (o.subjectType == .certificate ? o.subject : ""),
            scope: certificate?.scope ?? "", standard: certificate?.standard ?? Certificate.defaultStandard,
            validThrough: validThrough, star: star
        )
        context["subject"] = o.subject
        context["kind"] = o.kind.rawValue
        context["kind_title"] = row.title
        context["stage"] = o.stage.chineseName
        context["opens"] = chineseDate(o.opens)
        context["due"] = chineseDate(o.due)
        context["days_remaining"] = max(0, days)
        context["days_overdue"] = max(0, -days)
        context["escalation"] = o.escalation.chineseName
        context["escalation_by"] = o.escalationBy.map { chineseDate($0.date) } ?? ""
        context["clause"] = o.clause
        context["escalation_clause"] = o.kind.escalationClause ?? ""
        context["record"] = o.record ?? ""
        context["man_days"] = o.manDaysHundredths.map(ManDays.format) ?? ""
        context["provisional"] = o.provisional
        // RULES §8: a date already past is stated as past, and the step already taken is not
        // announced again; templates choose their sentences by these.
        context["opens_passed"] = o.opens < asOf
        context["due_passed"] = o.due < asOf
        context["escalation_by_passed"] = o.escalationBy.map { $0.date < asOf } ?? false
        context["escalation_taken"] = o.escalationTaken.map(chineseDate) ?? ""
        context["licence_pending"] = o.escalationTaken != nil && o.nextStep?.escalation == Escalation.none
        context["suspension_limit"] = o.nextStep?.from.map(chineseDate) ?? ""
        context["suspension_limit_passed"] = o.nextStep?.from.map { $0 < asOf } ?? false
        context["withdraw_by"] = o.nextStep?.by.map { chineseDate($0.date) } ?? ""
        context["due_stated"] = o.dueStated
        context["extra_audit"] = o.isExtraAudit
        context["clause"] = ClauseCitation.chinese(o.clause)
        context["escalation_clause"] = o.kind.escalationClause.map(ClauseCitation.chinese) ?? ""
        context["received_on"] = o.receivedOn.map(chineseDate) ?? ""
        context["suspended_since"] = o.certificateSuspendedSince.map(chineseDate) ?? ""
        context["reason"] = o.reason ?? ""
        context["decision"] = extras.decision.map(paragraphs) ?? ""
        return addHasKeys(context)
    }

    /// The context of a letter about a change of a certificate's public status.
    ///
    /// `suspension` is the suspension behind a `suspended` status. `suspension_until` is its
    /// 6-month limit (9.3.2.2), empty when there is no suspension or when its reason is (5),
    /// a pending licence, whose period runs until the licensing decision (`licence_pending`).
    public static func statusChange(
        _ change: PublicChange, certificate: Certificate, organization: Organization?, suspension: Suspension?,
        asOf: CivilDate, head: LetterHead, extras: LetterExtras = LetterExtras()
    ) -> [String: Any] {
        var context = common(
            head: head, extras: extras, asOf: asOf, organization: organization,
            organizationId: organization?.id ?? certificate.orgId, organizationName: nil,
            certificate: certificate.certNo, scope: change.scope, standard: certificate.standard,
            validThrough: change.validThrough, star: change.star
        )
        let licencePending = suspension?.reason == Suspension.licenceRenewalReason
        context["status"] = change.status.chineseName
        context["previous_status"] = change.previousStatus?.chineseName ?? ""
        context["effective_on"] = chineseDate(change.date)
        context["status_clause"] = ClauseCitation.chinese(change.clause)
        context["suspension_until"] = suspension.flatMap { licencePending ? nil : chineseDate($0.startOn.addingMonths(6)) } ?? ""
        context["licence_pending"] = licencePending
        context["reduced_scope"] = suspension?.reducedScope ?? (change.scopeIsReduced ? change.scope : "")
        let previousScope = change.previousScope ?? certificate.scope
        context["previous_scope"] = previousScope
        context["removed_scope"] = change.scopeIsReduced ? ScopeText.removed(from: previousScope, keeping: change.scope) ?? "" : ""
        return addHasKeys(context)
    }

    private static func common(
        head: LetterHead, extras: LetterExtras, asOf: CivilDate, organization: Organization?, organizationId: String, organizationName: String?,
        certificate: String, scope: String, standard: String, validThrough: CivilDate?, star: StarGrade
    ) -> [String: Any] {
        [
            "body_name": head.bodyName,
            "body_address": head.address,
            "contact_person": head.contactPerson,
            "contact_phone": head.telephone,
            "reference": extras.reference ?? "",
            "respond_by": extras.respondBy.map { chineseDate($0.date) } ?? "",
            "respond_days": extras.respondWorkingDays,
            "date": chineseDate(asOf),
            "date_iso": asOf.description,
            "organization_name": nonEmpty(organization?.name) ?? nonEmpty(organizationName) ?? organizationId,
            "organization_id": organizationId,
            "organization_address": organization?.address ?? "",
            "contact_email": organization?.contactEmail ?? "",
            "certificate": certificate,
            "scope": scope,
            "standard": standard,
            "valid_through": validThrough.map(chineseDate) ?? "",
            "star": star == .fiveStar ? star.chineseName : "",
        ]
    }

    /// Staff's text as letter paragraphs: each non-empty line opens with two ideographic spaces.
    static func paragraphs(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { "\u{3000}\u{3000}" + $0 }.joined(separator: "\n")
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    private static func addHasKeys(_ context: [String: Any]) -> [String: Any] {
        var result = context
        for (key, value) in context {
            if let text = value as? String { result["has_" + key] = !text.isEmpty }
        }
        return result
    }

    private static func withHasKeys(_ keys: [String], except nonText: Set<String>) -> Set<String> {
        var all = Set(keys)
        for key in keys where !nonText.contains(key) { all.insert("has_" + key) }
        return all
    }
}

/// Who signs the letters and how organisations reach the body (`Jobs/runner.toml`).
public struct LetterHead: Sendable, Hashable {
    public var bodyName: String
    public var address: String
    public var contactPerson: String
    public var telephone: String

    public init(bodyName: String, address: String = "", contactPerson: String = "", telephone: String = "") {
        self.bodyName = bodyName
        self.address = address
        self.contactPerson = contactPerson
        self.telephone = telephone
    }
}

/// What a letter knows beyond its records: its reference number, the reply deadline counted
/// from the letter's own date, and the answer of an appeal reply.
public struct LetterExtras: Sendable, Hashable {
    public var reference: String?
    /// `respondWorkingDays` working days after the letter's date: what applies once a rule's own
    /// date has passed (RULES §8).
    public var respondBy: Dated?
    public var respondWorkingDays: Int
    /// The body's answer in an appeal reply, written by staff.
    public var decision: String?

    public init(reference: String? = nil, respondBy: Dated? = nil, respondWorkingDays: Int = 5, decision: String? = nil) {
        self.reference = reference
        self.respondBy = respondBy
        self.respondWorkingDays = respondWorkingDays
        self.decision = decision
    }
}

/// The part of a scope a reduction leaves out (9.3.2.1, last paragraph), when both scopes are
/// lists the reduced one is drawn from (`家电安装、维修、退换货` keeping `家电安装、维修`).
public enum ScopeText {
    static let separators: Set<Character> = ["、", "，", ",", "；", ";", "/"]

    public static func removed(from full: String, keeping kept: String) -> String? {
        func items(_ s: String) -> [String] {
            s.split(whereSeparator: { separators.contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let all = items(full), keep = Set(items(kept))
        guard all.count > 1, !keep.isEmpty, keep.isSubset(of: Set(all)) else { return nil }
        let rest = all.filter { !keep.contains($0) }
        return rest.isEmpty ? nil : rest.joined(separator: "、")
    }
}
