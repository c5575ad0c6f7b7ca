/// The choices the rules leave to the certification body, with the defaults of RULES.md.
/// Loaded from `Jobs/` so staff can change them without a rebuild.
public struct RuleSettings: Hashable, Sendable {
    /// Per obligation kind: how long before opening it shows as `upcoming`, and how many
    /// working days the escalation may take once it is overdue.
    public struct Kind: Hashable, Sendable {
        public var noticeDays: Int
        public var escalationWorkingDays: Int

        public init(noticeDays: Int, escalationWorkingDays: Int = 5) {
            self.noticeDays = noticeDays
            self.escalationWorkingDays = escalationWorkingDays
        }
    }

    /// A surveillance audit scoring below this revokes the five-star grade (7.5).
    public var fiveStarRevocationScore: Double
    /// Working days within which a suspension or withdrawal must follow its verified cause
    /// (9.3.2.1, 9.3.3.1); later ones are compliance warnings.
    public var decisionWorkingDays: Int
    public var kinds: [ObligationKind: Kind]
    /// Days between staff reminders about a suspension for a pending licence (reason 5), which
    /// has no 6-month limit (RULES §8); 0 turns them off.
    public var licencePendingReminderDays: Int

    public init(fiveStarRevocationScore: Double = 95, decisionWorkingDays: Int = 5, kinds: [ObligationKind: Kind] = RuleSettings.defaultKinds,
                licencePendingReminderDays: Int = 90) {
        self.fiveStarRevocationScore = fiveStarRevocationScore
        self.decisionWorkingDays = decisionWorkingDays
        self.licencePendingReminderDays = licencePendingReminderDays
        self.kinds = kinds
    }

    public static let defaultKinds: [ObligationKind: Kind] = Dictionary(
        uniqueKeysWithValues: ObligationKind.allCases.map { kind in
            (kind, Kind(noticeDays: kind == .surveillance ? 60 : 0))
        }
    )

    public func settings(for kind: ObligationKind) -> Kind {
        kinds[kind] ?? Self.defaultKinds[kind]!
    }
}
