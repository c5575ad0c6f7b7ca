public import CertCycleCore
public import CertCycleRegister
import CertCycleNotices

/// Why each obligation is due when it is, from the register (`certcycle explain` and the pages
/// the digest links): the rules' explanations of a certificate's obligations and of its appeals'
/// and not-acceptable applications', of an appeal or application alone, and of the body's
/// monthly reports. Appeals and applications are read once, on first need.
public final class RegisterExplainer {
    public let register: any Register
    public let rules: CertificationRules
    public let date: CivilDate
    private var appeals: [Appeal]?
    private var applications: [Application]?

    public init(register: any Register, rules: CertificationRules, on date: CivilDate) {
        self.register = register
        self.rules = rules
        self.date = date
    }

    /// The certificate's obligations (of `kind` only, when given), then its appeals' and
    /// not-acceptable applications'.
    public func certificate(_ file: CertificateFile, kind: ObligationKind? = nil) throws -> [Explanation] {
        let certNo = file.certificate.certNo
        var explanations = rules.explain(CertificateHistory(file), on: date, kind: kind)
        for appeal in try allAppeals() where appeal.certNo == certNo {
            if let o = rules.obligation(of: appeal, on: date), kind == nil || kind == o.kind {
                explanations.append(rules.explain(o, received: appeal.receivedOn, on: date))
            }
        }
        for application in try allApplications() where application.certNo == certNo {
            if let o = rules.obligation(of: application, on: date), kind == nil || kind == o.kind {
                explanations.append(rules.explain(o, received: application.receivedOn, on: date))
            }
        }
        return explanations
    }

    /// The appeal's or application's obligation `o` explained (empty when the record is gone).
    public func standalone(_ o: Obligation) throws -> [Explanation] {
        let received: CivilDate?
        switch o.subjectType {
        case .appeal: received = try allAppeals().first { $0.id == o.subject }?.receivedOn
        case .application: received = try allApplications().first { $0.id == o.subject }?.receivedOn
        case .certificate, .body: received = nil
        }
        return received.map { [rules.explain(o, received: $0, on: date)] } ?? []
    }

    /// The body's monthly reports outstanding on the date (RULES §10), oldest first; `adoptedOn`
    /// as for `RegisterScan.bodyObligations`.
    public func body(adoptedOn: CivilDate? = nil) throws -> [Explanation] {
        try RegisterScan(register: register, rules: rules).bodyObligations(on: date, adoptedOn: adoptedOn).map {
            rules.explain($0, received: date, on: date)
        }
    }

    private func allAppeals() throws -> [Appeal] {
        if let appeals { return appeals }
        let read = try register.appeals()
        appeals = read
        return read
    }

    private func allApplications() throws -> [Application] {
        if let applications { return applications }
        let read = try register.notAcceptedApplications()
        applications = read
        return read
    }
}
