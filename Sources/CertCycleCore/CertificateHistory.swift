/// A certification cycle (clause 5): started by the decision on a passing initial or
/// recertification audit, valid for three years.
public struct Cycle: Hashable, Sendable {
    /// The initial or recertification audit whose decision started the cycle.
    public var audit: Audit
    public var decision: CivilDate
    /// `addYears(decision, 3) − 1 day`.
    public var ruleValidThrough: CivilDate
    /// The printed expiry when the register states one for this cycle, else the rule's.
    public var validThrough: CivilDate
    /// The starting audit recommended five stars (6.5).
    public var fiveStar: Bool
}

/// One certificate's records, arranged so that its public state and obligations can be
/// worked out for any date. Later records never change what is computed for an earlier date.
public struct CertificateHistory: Sendable {
    public let file: CertificateFile
    /// Every cycle the register knows of, in decision order (including ones after any as-of date).
    public let cycles: [Cycle]

    public init(_ file: CertificateFile) {
        self.file = file
        var cycles: [Cycle] = []
        let starts = file.audits
            .filter { $0.kind.startsCycle && $0.decisionDate != nil && ($0.evaluation?.passes ?? false) }
            .sorted { ($0.decisionDate!, $0.onsiteEnd, $0.id) < ($1.decisionDate!, $1.onsiteEnd, $1.id) }
        for audit in starts {
            let decision = audit.decisionDate!
            let rule = decision.addingYears(3).addingDays(-1)
            cycles.append(Cycle(audit: audit, decision: decision, ruleValidThrough: rule, validThrough: rule,
                                fiveStar: audit.evaluation?.recommendsFiveStar ?? false))
        }
        // A stated (printed) expiry belongs to the latest cycle that started before it.
        if let stated = file.certificate.statedValidThrough,
           let index = cycles.lastIndex(where: { $0.decision < stated }) {
            cycles[index].validThrough = stated
        }
        self.cycles = cycles
    }

    public var certNo: String { file.certificate.certNo }

    /// The cycle in force on `date`: the latest one decided on or before it.
    public func currentCycle(on date: CivilDate) -> Cycle? {
        cycles.last { $0.decision <= date }
    }

    /// The date the certificate was first issued, if it has been by `date`.
    public func issuedOn(asOf date: CivilDate) -> CivilDate? {
        cycles.first.flatMap { $0.decision <= date ? $0.decision : nil }
    }

    /// Surveillance audits of `cycle` that have happened by `date` (on-site end after the
    /// cycle's starting audit, on or before `date`), in on-site order.
    public func surveillanceAudits(of cycle: Cycle, asOf date: CivilDate) -> [Audit] {
        file.audits
            .filter { $0.kind == .surveillance && $0.onsiteEnd > cycle.audit.onsiteEnd && $0.onsiteEnd <= date }
            .sorted { ($0.onsiteEnd, $0.id) < ($1.onsiteEnd, $1.id) }
    }

    // MARK: Public status (RULES §3)

    /// Status, scope, star and validity on `date`, without `since`; nil before issue.
    func snapshot(on date: CivilDate, settings: RuleSettings) -> (status: CertificateStatus, clause: String, scope: String, star: StarGrade, validThrough: CivilDate)? {
        guard let cycle = currentCycle(on: date) else { return nil }
        let scope = file.certificate.scope
        if let withdrawal = file.withdrawals.filter({ $0.decidedOn <= date }).min(by: { $0.decidedOn < $1.decidedOn }) {
            return (.withdrawn, "9.3.3.1(\(withdrawal.reason))", scope, .none, cycle.validThrough)
        }
        if date > cycle.validThrough {
            return (.expired, "9.3.5", scope, .none, cycle.validThrough)
        }
        let star = starGrade(in: cycle, on: date, settings: settings)
        let inForce = file.suspensions.filter { $0.isInForce(on: date) }
        if let full = inForce.filter({ $0.reducedScope == nil }).max(by: { ($0.startOn, $0.id) < ($1.startOn, $1.id) }) {
            return (.suspended, "9.3.2.1(\(full.reason))", scope, star, cycle.validThrough)
        }
        if let partial = inForce.max(by: { ($0.startOn, $0.id) < ($1.startOn, $1.id) }), let reduced = partial.reducedScope {
            return (.active, "9.3.2.1", reduced, star, cycle.validThrough)
        }
        return (.active, cycle.audit.kind == .initial ? "6.6" : "8", scope, star, cycle.validThrough)
    }

    /// Five stars when the cycle's starting audit recommended them, until a surveillance audit
    /// of the cycle scores below the threshold (7.5), from its decision date (or on-site end).
    func starGrade(in cycle: Cycle, on date: CivilDate, settings: RuleSettings) -> StarGrade {
        guard cycle.fiveStar else { return .none }
        let revoked = file.audits.contains { audit in
            audit.kind == .surveillance && audit.onsiteEnd > cycle.audit.onsiteEnd
                && (audit.score.map { $0 < settings.fiveStarRevocationScore } ?? false)
                && (audit.decisionDate ?? audit.onsiteEnd) <= date
        }
        return revoked ? .none : .fiveStar
    }

    /// The star grade published on `date` (none while withdrawn or expired); nil before issue.
    /// Cheaper than `publicState`, which also walks back for `since`.
    public func star(on date: CivilDate, settings: RuleSettings) -> StarGrade? {
        snapshot(on: date, settings: settings)?.star
    }

    /// The public state on `date`; nil when the certificate was not yet issued.
    public func publicState(on date: CivilDate, settings: RuleSettings) -> PublicState? {
        guard let now = snapshot(on: date, settings: settings), let issued = issuedOn(asOf: date) else { return nil }
        // Walk back through the days on which the status can change; the status is constant
        // between them, so the run began at the latest one whose eve had another status.
        var since = issued
        for point in changePoints(through: date).reversed() where point > issued {
            if snapshot(on: point.addingDays(-1), settings: settings)?.status != now.status {
                since = point
                break
            }
        }
        return PublicState(certificate: certNo, status: now.status, since: since, star: now.star, scope: now.scope,
                           validThrough: now.validThrough, issuedOn: issued, clause: now.clause)
    }

    /// Every day on or before `date` on which the status, scope, star or validity may change, ascending.
    public func changePoints(through date: CivilDate) -> [CivilDate] {
        var points: [CivilDate] = []
        for cycle in cycles {
            points.append(cycle.decision)
            points.append(cycle.validThrough.addingDays(1))
        }
        for suspension in file.suspensions {
            points.append(suspension.startOn)
            if let lifted = suspension.liftedOn { points.append(lifted) }
        }
        points.append(contentsOf: file.withdrawals.map(\.decidedOn))
        for audit in file.audits where audit.kind == .surveillance {
            points.append(audit.decisionDate ?? audit.onsiteEnd)
        }
        return Array(Set(points.filter { $0 <= date })).sorted()
    }
}

/// A day on which what is published about a certificate changed (RULES §3: status, scope,
/// star grade or validity), with the state from that day on.
public struct PublicChange: Hashable, Sendable {
    public var date: CivilDate
    public var status: CertificateStatus
    public var previousStatus: CertificateStatus?
    public var scope: String
    public var star: StarGrade
    public var validThrough: CivilDate
    public var clause: String
    /// The state the day before (nil for the issue).
    public var previousScope: String?
    public var previousStar: StarGrade?
    public var previousValidThrough: CivilDate?

    /// What kind of publication the change is (INTERFACE.md event types): the status change,
    /// else a renewal (new validity), a change of scope, or of star grade.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case issued, suspended, restored, withdrawn, expired, renewed
        case scopeChanged = "scope_changed"
        case starChanged = "star_changed"
    }

    /// The clause a change of scope or star grade alone rests on: a partial suspension or its
    /// lifting (9.3.2.1, last paragraph), a five-star grade revoked by surveillance (7.5).
    /// A status change keeps the clause of its status.
    mutating func citeOwnClause() {
        switch kind {
        case .scopeChanged: clause = "9.3.2.1"
        case .starChanged: clause = "7.5"
        default: break
        }
    }

    /// True when the published scope is the reduced one of a partial suspension in force.
    public var scopeIsReduced = false

    /// True when the change reduced the published scope (9.3.2.1, last paragraph); a scope
    /// change that is not a reduction restores the full scope.
    public var scopeReduced: Bool { kind == .scopeChanged && scopeIsReduced }

    /// True when the change removed the five-star grade (7.5) while the certificate stays in force.
    public var removesStar: Bool { previousStar == .fiveStar && star == .none && kind == .starChanged }

    public var kind: Kind {
        guard let before = previousStatus else { return .issued }
        if before != status {
            switch status {
            case .suspended: return .suspended
            case .withdrawn: return .withdrawn
            case .expired: return .expired
            case .active: return before == .suspended ? .restored : .renewed
            }
        }
        if previousValidThrough != validThrough { return .renewed }
        if previousScope != scope { return .scopeChanged }
        return .starChanged
    }
}

extension CertificateHistory {
    /// Every publication-worthy change on or before `date`, oldest first; the first is the issue.
    public func publicChanges(through date: CivilDate, settings: RuleSettings) -> [PublicChange] {
        var changes: [PublicChange] = []
        for point in changePoints(through: date) {
            guard let now = snapshot(on: point, settings: settings) else { continue }
            let last = changes.last
            if let last, last.status == now.status, last.scope == now.scope, last.star == now.star,
               last.validThrough == now.validThrough {
                continue
            }
            var change = PublicChange(date: point, status: now.status, previousStatus: last?.status, scope: now.scope,
                                      star: now.star, validThrough: now.validThrough, clause: now.clause,
                                      previousScope: last?.scope, previousStar: last?.star, previousValidThrough: last?.validThrough)
            change.scopeIsReduced = now.status == .active && now.clause == "9.3.2.1"
            change.citeOwnClause()
            changes.append(change)
        }
        return changes
    }
}

extension CertificateHistory {
    /// The change published on `date`, when the state on `date` differs from the day before
    /// (status, scope, star or validity), including the first issue; nil otherwise.
    public func change(on date: CivilDate, settings: RuleSettings) -> PublicChange? {
        guard let now = snapshot(on: date, settings: settings) else { return nil }
        let before = snapshot(on: date.addingDays(-1), settings: settings)
        if let before, before.status == now.status, before.scope == now.scope, before.star == now.star,
           before.validThrough == now.validThrough {
            return nil
        }
        var change = PublicChange(date: date, status: now.status, previousStatus: before?.status, scope: now.scope,
                                  star: now.star, validThrough: now.validThrough, clause: now.clause,
                                  previousScope: before?.scope, previousStar: before?.star, previousValidThrough: before?.validThrough)
        change.scopeIsReduced = now.status == .active && now.clause == "9.3.2.1"
        change.citeOwnClause()
        return change
    }
}
