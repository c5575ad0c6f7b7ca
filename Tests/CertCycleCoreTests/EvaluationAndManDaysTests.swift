import Testing
@testable import CertCycleCore

@Suite("6.5 audit evaluation")
struct EvaluationTests {
    @Test("an audit passes with a score of 70 or more and fewer than 5 deduction items", arguments: [
        (70.0, 4, true, false), (69.9, 0, false, false), (95.0, 4, true, true), (94.9, 0, true, false),
        (100.0, 5, false, false), (96.0, 5, false, false), (70.0, 0, true, false), (0.0, 0, false, false),
    ])
    func passFailFiveStar(score: Double, deductions: Int, passes: Bool, fiveStar: Bool) {
        let e = AuditEvaluation(score: score, deductions: deductions)
        #expect(e.passes == passes)
        #expect(e.recommendsFiveStar == fiveStar)
        #expect((e.failureReason == nil) == passes)
    }
}

@Suite("Appendix A man-days with 6.2.3, 7.4 and 8.2")
struct ManDaysTests {
    @Test("the table value of each band", arguments: [
        (1, "3", "1.5", "2"), (20, "3", "1.5", "2"), (21, "4", "1.5", "3"), (50, "4", "1.5", "3"), (51, "5", "2", "3.5"),
        (80, "5", "2", "3.5"), (81, "6", "2", "4"), (100, "6", "2", "4"), (101, "7", "2.5", "5"), (200, "7", "2.5", "5"),
        (201, "8", "3", "5.5"), (300, "8", "3", "5.5"), (301, "9", "3", "6.5"), (500, "9", "3", "6.5"),
        (501, "10", "3.5", "7"), (1000, "10", "3.5", "7"),
    ])
    func bands(employees: Int, initial: String, surveillance: String, recertification: String) {
        #expect(ManDays.format(ManDays(employees: employees, audit: .initial).tableHundredths) == initial)
        #expect(ManDays.format(ManDays(employees: employees, audit: .surveillance).tableHundredths) == surveillance)
        #expect(ManDays.format(ManDays(employees: employees, audit: .recertification).tableHundredths) == recertification)
    }

    @Test("above 1000 employees every further block started counts", arguments: [
        (1001, ManDayAudit.initial, "11"), (1600, .initial, "11"), (1601, .initial, "12"), (2200, .initial, "12"), (2201, .initial, "13"),
        (1001, .surveillance, "4"), (1900, .surveillance, "4"), (1901, .surveillance, "4.5"),
        (1001, .recertification, "7.5"), (1450, .recertification, "7.5"), (1451, .recertification, "8"),
    ])
    func largeOrganisations(employees: Int, audit: ManDayAudit, expected: String) {
        #expect(ManDays.format(ManDays(employees: employees, audit: audit).tableHundredths) == expected)
    }

    @Test("a planned reduction leaves at least 70% of the table value (6.2.3)")
    func reductionLimit() {
        let m = ManDays(employees: 150, audit: .initial)
        #expect(ManDays.format(m.reductionFloorHundredths) == "4.9")
        #expect(m.minimumHundredths == 490)
        #expect(m.requiredHundredths == 700)
    }

    @Test("surveillance is at least 30% of the initial man-days (7.4)")
    func surveillanceShare() {
        let m = ManDays(employees: 10, audit: .surveillance)
        #expect(ManDays.format(m.initialShareFloorHundredths!) == "0.9")
        #expect(ManDays.format(m.minimumHundredths) == "1.05")
        #expect(ManDays.format(m.requiredHundredths) == "1.5")
    }

    @Test("recertification is at least 70% of the initial man-days, above the table where the table is lower (8.2)", arguments: [
        (10, "2.1", "2.1"), (90, "4.2", "4.2"), (250, "5.6", "5.6"), (60, "3.5", "3.5"), (150, "5", "4.9"),
    ])
    func recertificationShare(employees: Int, required: String, share: String) {
        let m = ManDays(employees: employees, audit: .recertification)
        #expect(ManDays.format(m.requiredHundredths) == required)
        #expect(ManDays.format(m.initialShareFloorHundredths!) == share)
    }
}

@Suite("GB 32100 unified social credit code")
struct CreditCodeTests {
    @Test("a published code passes its check digit")
    func validCode() {
        #expect(CreditCode.problem(with: "91350100M000100Y43") == nil)
    }

    @Test("a wrong check digit, letter or length is explained", arguments: [
        ("91350100M000100Y44", "check digit"), ("91350100M000100Y4", "18 characters"), ("91350100M0001O0Y43", "'O'"),
    ])
    func invalidCodes(code: String, mentions: String) {
        #expect(CreditCode.problem(with: code)?.contains(mentions) == true)
    }
}
