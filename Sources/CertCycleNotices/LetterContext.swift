public import CertCycleCore

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
        "body_name", "date", "date_iso", "organization_name", "organization_id", "organization_address",
        "contact_email", "certificate", "scope", "standard", "valid_through", "star",
    ]

    /// Keys an obligation letter adds.
    public static let obligationOnlyKeys = [
        "subject", "kind", "kind_title", "stage", "opens", "due", "days_remaining", "days_overdue", "escalation",
        "escalation_by", "clause", "escalation_clause", "record", "man_days", "provisional",
    ]

    /// Keys a status letter adds.
    public static let statusOnlyKeys = [
        "status", "previous_status", "effective_on", "status_clause", "suspension_until", "licence_pending",
        "reduced_scope",
    ]

    /// Every variable an obligation letter may use, `has_` companions included.
    public static var obligationKeys: Set<String> {
        withHasKeys(commonKeys + obligationOnlyKeys, except: ["days_remaining", "days_overdue", "provisional"])
    }

    /// Every variable a status letter may use, `has_` companions included.
    public static var statusKeys: Set<String> {
        withHasKeys(commonKeys + statusOnlyKeys, except: ["licence_pending"])
    }

    /// The context of a letter about an obligation reaching a stage (or a reminder).
    ///
    /// `star` is the certificate's grade on `asOf`, when the caller knows it.
    public static func obligation(
        _ row: DigestRow, organization: Organization?, certificate: Certificate?, validThrough: CivilDate?,
        asOf: CivilDate, bodyName: String, star: StarGrade = .none
    ) -> [String: Any] {
        let o = row.obligation
        let days = o.daysRemaining(asOf: asOf)
        var context = common(
            bodyName: bodyName, asOf: asOf, organization: organization,
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
        return addHasKeys(context)
    }

    /// The context of a letter about a change of a certificate's public status.
    ///
    /// `suspension` is the suspension behind a `suspended` status. `suspension_until` is its
    /// 6-month limit (9.3.2.2), empty when there is no suspension or when its reason is (5),
    /// a pending licence, whose period runs until the licensing decision (`licence_pending`).
    public static func statusChange(
        _ change: PublicChange, certificate: Certificate, organization: Organization?, suspension: Suspension?,
        asOf: CivilDate, bodyName: String
    ) -> [String: Any] {
        var context = common(
            bodyName: bodyName, asOf: asOf, organization: organization,
            organizationId: organization?.id ?? certificate.orgId, organizationName: nil,
            certificate: certificate.certNo, scope: change.scope, standard: certificate.standard,
            validThrough: change.validThrough, star: change.star
        )
        let licencePending = suspension?.reason == Suspension.licenceRenewalReason
        context["status"] = change.status.chineseName
        context["previous_status"] = change.previousStatus?.chineseName ?? ""
        context["effective_on"] = chineseDate(change.date)
        context["status_clause"] = change.clause
        context["suspension_until"] = suspension.flatMap { licencePending ? nil : chineseDate($0.startOn.addingMonths(6)) } ?? ""
        context["licence_pending"] = licencePending
        context["reduced_scope"] = suspension?.reducedScope ?? ""
        return addHasKeys(context)
    }

    private static func common(
        bodyName: String, asOf: CivilDate, organization: Organization?, organizationId: String, organizationName: String?,
        certificate: String, scope: String, standard: String, validThrough: CivilDate?, star: StarGrade
    ) -> [String: Any] {
        [
            "body_name": bodyName,
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
