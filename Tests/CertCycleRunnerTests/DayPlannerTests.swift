import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
@testable import CertCycleRunner
import Foundation
import Testing

/// The day's plan depends only on the day's scan and what is recorded: no register, no files.
@Suite("the day's plan")
struct DayPlannerTests {
    /// A certificate first decided on 2025-03-10 after an audit ending 2025-03-01: its first
    /// surveillance audit is due 9–12 months later (RULES §3), so it is open on 2026-01-05.
    static let file = CertificateFile(
        certificate: Certificate(certNo: "CAS-1", orgId: "ORG-1", scope: "家用电器的售后服务"),
        organization: Organization(id: "ORG-1", name: "杭州恒达电器有限公司", employees: 40, contactEmail: "qa@hengda.example.cn"),
        audits: [Audit(id: "A-1", certNo: "CAS-1", kind: .initial, onsiteEnd: day("2025-03-01"), score: 90, decisionDate: day("2025-03-10"))]
    )

    static func scan(on date: CivilDate) -> DayScan {
        var scan = DayScan(date: date)
        let history = CertificateHistory(file)
        for o in shippedJobs.rules.obligations(of: history, on: date) {
            scan.rows.append(DigestRow(obligation: o, title: shippedJobs.title(o.kind), organizationName: file.organization?.name, isNewStage: false))
            scan.facts.append(ObligationFacts(certNo: "CAS-1", validThrough: history.currentCycle(on: date)?.validThrough, star: .none))
        }
        return scan
    }

    static func planner(on date: CivilDate, firstNight: Bool = false, recorded: Set<String> = [],
                        reads: LockedCounter = LockedCounter()) -> DayPlanner {
        DayPlanner(date: date, jobs: shippedJobs, head: LetterHead(bodyName: "中奥认证"),
                   endpoints: [], foundAt: Date(timeIntervalSince1970: 0), firstNight: firstNight, finalProgress: nil, recordedThisRun: [],
                   recorded: { _, keys in recorded.intersection(keys) },
                   certificateFile: { certNo in
                       reads.add()
                       return certNo == "CAS-1" ? file : nil
                   })
    }

    @Test("a stage not yet recorded is new: one record, one letter, the certificate's records read once for it")
    func newStageGetsRecordAndLetter() throws {
        let date = day("2026-01-05")
        var scan = Self.scan(on: date)
        let surveillance = try #require(scan.rows.first { $0.obligation.kind == .surveillance })
        #expect(surveillance.obligation.stage == .due)
        let reads = LockedCounter()
        let plan = try Self.planner(on: date, reads: reads).plan(&scan)

        #expect(scan.rows.isEmpty)  // the plan took the rows over
        let row = try #require(plan.rows.first { $0.obligation.kind == .surveillance })
        #expect(row.isNewStage && !row.isBacklog)
        let keys = plan.records.map(plan.key)
        #expect(keys.contains(FoundObligation.key(row.obligation) + "#due"))
        #expect(plan.drafts.count == plan.records.count { $0.draft != nil })
        #expect(plan.drafts.contains { $0.contactEmail == "qa@hengda.example.cn" })
        #expect(reads.value == 1)
    }

    @Test("a stage already recorded is not new: no record, no letter, nothing read")
    func recordedStageIsNotNews() throws {
        let date = day("2026-01-05")
        var first = Self.scan(on: date)
        let firstPlan = try Self.planner(on: date).plan(&first)
        var again = Self.scan(on: date)
        let reads = LockedCounter()
        let plan = try Self.planner(on: date, recorded: Set(firstPlan.records.map(firstPlan.key)), reads: reads).plan(&again)

        #expect(plan.records.isEmpty)
        #expect(plan.drafts.isEmpty)
        #expect(plan.rows.allSatisfy { !$0.isNewStage })
        #expect(reads.value == 0)
    }

    @Test("on a register's first night a stage that began earlier is backlog: recorded, listed, no letter")
    func firstNightBacklogHasNoLetter() throws {
        let date = day("2026-01-05")
        var scan = Self.scan(on: date)
        let plan = try Self.planner(on: date, firstNight: true).plan(&scan)
        let row = try #require(plan.rows.first { $0.obligation.kind == .surveillance })
        #expect(row.isNewStage && row.isBacklog)
        #expect(plan.records.map(plan.key).contains(FoundObligation.key(row.obligation) + "#due"))
        #expect(plan.drafts.isEmpty)
    }

    @Test("two letters with one file name: in file-name order the later gets -2, then -3")
    func duplicateLetterNamesAreNumbered() {
        func draft(_ name: String) -> LetterDraft {
            LetterDraft(fileName: name, organization: "ORG-1", template: "t", context: { [:] })
        }
        var drafts = [draft("ORG-1-b.txt"), draft("ORG-1-a.txt"), draft("ORG-1-b.txt"), draft("ORG-1-b.txt")]
        DayPlanner.numberDuplicateNames(&drafts)
        #expect(drafts.map(\.fileName) == ["ORG-1-b.txt", "ORG-1-a.txt", "ORG-1-b-2.txt", "ORG-1-b-3.txt"])
    }
}

/// Counts calls from a closure the planner holds.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }

    func add() { lock.withLock { count += 1 } }
}
