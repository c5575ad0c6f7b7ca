public import CertCycleCore

/// Everything that goes into one day's notice folder, `NOTICES/YYYY-MM-DD/`: computed by the
/// runner, rendered by `NoticeRenderer` (pure: the same value always gives the same bytes).
public struct DayNotices: Sendable {
    /// The as-of date the folder is for.
    public var asOf: CivilDate
    /// The certification body's name, as letters are signed.
    public var bodyName: String
    /// Every open obligation on `asOf`, with what staff need to read it.
    public var obligations: [DigestRow]
    /// Compliance and data warnings on `asOf`.
    public var findings: [Finding]
    /// Certificates whose public state changed on `asOf`.
    public var statusChanges: [StatusChangeRow]
    /// Letters written today (rendered text and file name), in file-name order.
    public var letters: [Letter]
    /// The explanation pages written beside the digest (`ExplanationPage.path`): a row whose
    /// subject has one links it.
    public var explanationPages: Set<String> = []
    /// False when some rows' subjects got no page (Jobs/runner.toml `explanation_pages`).
    public var explanationsComplete = true

    public init(asOf: CivilDate, bodyName: String, obligations: [DigestRow], findings: [Finding], statusChanges: [StatusChangeRow], letters: [Letter]) {
        self.asOf = asOf
        self.bodyName = bodyName
        self.obligations = obligations
        self.findings = findings
        self.statusChanges = statusChanges
        self.letters = letters
    }
}

/// One obligation as the digest shows it.
public struct DigestRow: Sendable, Hashable {
    public var obligation: Obligation
    /// The kind's title from Jobs/ (e.g. 监督审查).
    public var title: String
    public var organizationName: String?
    /// True when the obligation reached its stage today (a letter may have gone out).
    public var isNewStage: Bool
    /// True on a register's first night for a stage that began before it (存量, RULES §8):
    /// listed with its dates, no letter sent.
    public var isBacklog: Bool

    public init(obligation: Obligation, title: String, organizationName: String?, isNewStage: Bool, isBacklog: Bool = false) {
        self.obligation = obligation
        self.title = title
        self.organizationName = organizationName
        self.isNewStage = isNewStage
        self.isBacklog = isBacklog
    }
}

/// A change of a certificate's public state on the day.
public struct StatusChangeRow: Sendable, Hashable {
    public var certificate: String
    public var organizationName: String?
    public var change: PublicChange

    public init(certificate: String, organizationName: String?, change: PublicChange) {
        self.certificate = certificate
        self.organizationName = organizationName
        self.change = change
    }
}

/// A letter to an organisation, rendered from a template in Jobs/templates, as the digest lists
/// it. Its text is in the day folder's `letters/` (written as it is rendered, never all the day's
/// letters in memory at once).
public struct Letter: Sendable, Hashable {
    /// File name inside `letters/`, safe on every file system (see `LetterName`); the print-ready
    /// HTML copy has the same name with `.html`.
    public var fileName: String
    /// The organisation's id.
    public var organization: String
    /// The organisation's name, for the digest's list of letters.
    public var organizationName: String?
    /// The letter's reference number (文号), unique in the register.
    public var reference: String?

    /// How it reaches the organisation when e-mail is configured: true by e-mail, false by post
    /// (no usable `contact_email`: the digest lists it as 需邮寄). nil: no e-mail configured, and
    /// the digest says nothing about it.
    public var emailed: Bool?

    public init(fileName: String, organization: String, organizationName: String? = nil, reference: String? = nil, emailed: Bool? = nil) {
        self.fileName = fileName
        self.organization = organization
        self.organizationName = organizationName
        self.reference = reference
        self.emailed = emailed
    }

    /// `letters/NAME.html`: the print-ready copy.
    public var htmlFileName: String {
        (fileName.hasSuffix(".txt") ? String(fileName.dropLast(4)) : fileName) + ".html"
    }
}
