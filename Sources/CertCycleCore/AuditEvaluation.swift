/// The outcome of an audit's score under clause 6.5.
///
/// "综合评分达到70分（含），且扣分项少于5项（不含），通过现场审查…95分（含95分）以上，推荐注册五星级".
public struct AuditEvaluation: Hashable, Sendable {
    public static let passScore = 70.0
    /// An audit fails with this many deduction items or more.
    public static let failingDeductions = 5
    public static let fiveStarScore = 95.0

    public var score: Double
    public var deductions: Int

    public init(score: Double, deductions: Int) {
        self.score = score
        self.deductions = deductions
    }

    /// Score ≥ 70 and fewer than 5 deduction items.
    public var passes: Bool { score >= Self.passScore && deductions < Self.failingDeductions }

    /// A passing audit with a score of 95 or more recommends the five-star grade.
    public var recommendsFiveStar: Bool { passes && score >= Self.fiveStarScore }

    /// Why the audit failed, in the words of 6.5; nil when it passed.
    public var failureReason: String? {
        var reasons: [String] = []
        if score < Self.passScore { reasons.append("score below 70") }
        if deductions >= Self.failingDeductions { reasons.append("5 or more deduction items") }
        return reasons.isEmpty ? nil : reasons.joined(separator: " and ")
    }
}
