import CertCycleConfig
import CertCycleCore
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// A far-future as-of (`run --as-of 9999-12-31`, or a clock that jumped) used to be accepted,
/// and every later night then said "already done", silently, for ever.
@Suite("far-future dates and the rollback that repairs them", .serialized)
struct FutureDateTests {
    static let endpoint = EndpointSettings(name: "directory", url: "https://directory.example.invalid/hook", secret: .file("/nonexistent"))

    func nightly(_ fixture: RunFixture, today: String, allowFuture: Bool = false) -> NightlyRun {
        var run = fixture.nightly()
        run.today = day(today)
        run.allowFuture = allowFuture
        run.endpoints = [Self.endpoint]
        return run
    }

    func events(_ register: any Register) throws -> [OutboxEvent] {
        try register.deliveries(status: nil, endpoint: nil, certificate: nil, limit: 1_000_000).map(\.1)
    }

    @Test("an as-of later than tomorrow is refused unless allowed; tomorrow itself is fine")
    func farFutureAsOfIsRefused() throws {
        let fixture = try RunFixture()
        defer { fixture.cleanUp() }
        let refused = #expect(throws: RunnerError.self) { try nightly(fixture, today: "2026-06-29").run(asOf: day("9999-12-31")) }
        #expect(refused?.kind == .usage)
        #expect(refused?.message.contains("--allow-future") == true)
        #expect(try fixture.register.lastCompletedDay() == nil)
        #expect(try fixture.noticeFiles().isEmpty)
        #expect(throws: RunnerError.self) { try nightly(fixture, today: "2026-06-29").run(asOf: day("2026-07-01")) }
        #expect(try nightly(fixture, today: "2026-06-29").run(asOf: day("2026-06-30")).days.count == 1)
    }

    @Test("a register whose last run is in the future stops the run with the repair command; the rollback restores a register that goes on as if the future run never happened",
          arguments: StoreKind.all)
    func rollbackRepairsFutureRun(_ kind: StoreKind) throws {
        // A register with status changes in July, so that the days run ahead queue events.
        let victim = try RunFixture(around: "2026-07-15", store: kind)
        let reference = try RunFixture(around: "2026-07-15", store: kind)
        defer {
            victim.cleanUp()
            reference.cleanUp()
        }
        for fixture in [victim, reference] {
            _ = try nightly(fixture, today: "2026-06-29").run(asOf: day("2026-06-28"))
            _ = try nightly(fixture, today: "2026-06-29").run(asOf: day("2026-06-30"))
        }
        let referenceFacts = try reference.recordedFacts()
        let referenceEvents = try events(reference.register).map(\.id)

        // The clock jumps a month ahead for one night.
        let future = try nightly(victim, today: "2026-06-29", allowFuture: true).run(asOf: day("2026-07-31"))
        #expect(future.days.count == 31)
        #expect(try events(victim.register).contains { $0.effectiveOn > day("2026-06-30") }, "the future days queued events")
        let stopped = #expect(throws: RunnerError.self) { try nightly(victim, today: "2026-06-29").run(asOf: day("2026-06-29")) }
        #expect(stopped?.kind == .state)
        #expect(stopped?.message.contains("`certcycle ledger rollback --after 2026-06-30`") == true)

        let rollback = LedgerRollback(register: victim.register, notices: NoticeFolderWriter(root: victim.noticesRoot))
        let plan = try rollback.plan(after: day("2026-06-30"))
        #expect(plan.days == (1...31).map { day(String(format: "2026-07-%02d", $0)) })
        #expect(plan.folders.count == 31)
        let outcome = try rollback.apply(after: day("2026-06-30"), holder: "test")
        #expect(outcome.eventsRemoved > 0 && outcome.eventsDelivered == 0)
        #expect(outcome.movedFolders.map { ($0 as NSString).lastPathComponent }.first == "2026-07-01.rolled-back-1")

        #expect(try victim.register.lastCompletedDay() == day("2026-06-30"))
        #expect(try victim.recordedFacts() == referenceFacts)
        #expect(try events(victim.register).map(\.id) == referenceEvents)
        let verified = try victim.verify()
        #expect(verified.problems.isEmpty, "\(verified.problems)")
        #expect(verified.setAside.count == 31)
        #expect(try rollback.plan(after: day("2026-06-30")).isEmpty, "a second rollback has nothing left to do")

        // Both go on alike: the same records and folders as a register that never ran ahead.
        for fixture in [victim, reference] {
            _ = try nightly(fixture, today: "2026-07-02").run(asOf: day("2026-07-02"))
        }
        #expect(try victim.recordedFacts() == reference.recordedFacts())
        let victimFiles = try victim.noticeFiles().filter { !$0.key.contains(".rolled-back-") }
        #expect(victimFiles.keys.sorted() == (try reference.noticeFiles()).keys.sorted())
        #expect(try victim.verify().problems.isEmpty)
    }

    @Test("rollback refuses to cut the chain in the middle")
    func rollbackRefusesMixedLedger() throws {
        let fixture = try RunFixture()
        defer { fixture.cleanUp() }
        _ = try nightly(fixture, today: "2026-06-29").run(asOf: day("2026-06-28"))
        _ = try nightly(fixture, today: "2026-06-29").run(asOf: day("2026-06-30"))
        let rollback = LedgerRollback(register: fixture.register, notices: NoticeFolderWriter(root: fixture.noticesRoot))
        #expect(try rollback.plan(after: day("2026-06-28")).days == [day("2026-06-29"), day("2026-06-30")])
        #expect(try rollback.plan(after: day("2026-06-30")).isEmpty)
        // An entry for an earlier day after the later days' entries: removing those would cut the chain.
        var chain = LedgerChain(after: try fixture.register.lastLedgerEntry(kind: nil))
        let late = chain.append(asOf: day("2026-06-28"), kind: .letter, key: "late", payload: "{}")
        try fixture.register.write { try $0.append(late) }
        let refused = #expect(throws: RunnerError.self) { try rollback.plan(after: day("2026-06-29")) }
        #expect(refused?.message.contains("would cut the hash chain in the middle") == true)
    }
}
