import CertCycleCore
import CertCycleRegister
@testable import CertCycleRegisterPostgres
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// Several hosts on one PostgreSQL register: one nightly run at a time, publishers that never
/// send the same delivery at the same time.
@Suite("several processes on one PostgreSQL register", .serialized, needsPostgres)
struct PostgresConcurrencyTests {
    /// A generated register imported into a new database, with a first run on 2026-06-01.
    func prepare(_ tmp: TemporaryFolder, certificates: Int = 400) throws -> (TestStore, [String]) {
        try certcycle(["generate", "--certificates", "\(certificates)", "--seed", "12", "--around", "2026-06-30", "--out", "register"], in: tmp.path)
        let store = try TestStore(.postgres, in: tmp)
        let options = ["--db", store.url, "--notices", tmp.path("notices")]
        try certcycle(["import", "register", "--db", store.url], in: tmp.path)
        try certcycle(["run", "--as-of", "2026-06-01"] + options, in: tmp.path)
        return (store, options)
    }

    @Test("two runs started together on two 'hosts': one works, the other exits 75 at once with one line naming the holder")
    func concurrentRuns() throws {
        let tmp = try TemporaryFolder("pg-concurrent")
        defer { tmp.cleanUp() }
        let (store, options) = try prepare(tmp)
        defer { store.cleanUp() }
        let results = ResultBox<CommandResult>()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = Result { try runCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path) }
            results.set(index, result)
        }
        let outcomes = try results.values.map { try $0.get() }
        #expect(outcomes.map(\.status).sorted() == [0, 75], "\(outcomes.map(\.stderr))")
        if let loser = outcomes.first(where: { $0.status == 75 }) {
            #expect(loser.stderr.hasPrefix("another certcycle run holds the lock (pid "), "\(loser.stderr)")
            #expect(loser.stderr.hasSuffix("); this run stops. Try again later\n"))
            #expect(loser.stderr.filter { $0 == "\n" }.count == 1)
            #expect(loser.stdout.isEmpty)
        }
        let verify = try certcycle(["ledger", "verify"] + options, in: tmp.path)
        #expect(verify.stdout.hasPrefix("ledger verified"))
        let again = try certcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        #expect(again.stdout == "2026-06-30 is already done: nothing new\n")
    }

    @Test("the lock spans connections and names its holder; a killed holder's lock is released by the server")
    func lockAcrossConnections() throws {
        let tmp = try TemporaryFolder("pg-lock")
        defer { tmp.cleanUp() }
        let (store, options) = try prepare(tmp, certificates: 300)
        defer { store.cleanUp() }
        let other = try store.reopen()
        let lock = try store.register.acquireRunLock(holder: "pid 4242 on office-2 since 2026-06-30T17:30:00Z")
        let held = #expect(throws: RunLockHeld.self) { try other.acquireRunLock(holder: "pid 99 on office-3") }
        #expect(held?.holder == "pid 4242 on office-2 since 2026-06-30T17:30:00Z")
        let blocked = try runCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        #expect(blocked.status == 75)
        #expect(blocked.stderr == "another certcycle run holds the lock (pid 4242 on office-2 since 2026-06-30T17:30:00Z); this run stops. Try again later\n")
        lock.release()
        let second = try other.acquireRunLock(holder: "pid 99 on office-3")
        second.release()

        // A run killed while it holds the lock: its connection ends, and so does the lock.
        let process = try startCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        var holding = false
        for _ in 0..<750 where !holding {
            usleep(20_000)
            holding = (try? TestPostgres.psql(store.postgresURL!, """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = 1 AND objsubid = 2
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(holding, "the run never took the lock")
        var relock: (any RunLock)?
        for _ in 0..<100 where relock == nil {
            relock = try? other.acquireRunLock(holder: "after the kill")
            if relock == nil { usleep(50_000) }
        }
        #expect(relock != nil, "the killed run's lock was not released")
        relock?.release()
        let finish = try certcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        #expect(finish.stdout.contains("2026-06-30:"))
        try certcycle(["ledger", "verify"] + options, in: tmp.path)
    }

    @Test("two publishers claiming at once on two connections never get the same delivery, and together get them all")
    func concurrentClaims() throws {
        let tmp = try TemporaryFolder("pg-claims")
        defer { tmp.cleanUp() }
        let store = try TestStore(.postgres, in: tmp)
        defer { store.cleanUp() }
        let events = 600
        try store.register.write { writer in
            for n in 0..<events {
                // Three events per certificate: only the first of each may be claimed.
                try writer.enqueue(OutboxEvent(id: "e\(n)", certificate: "CAS-\(n / 3)", type: "certificate.renewed", effectiveOn: day("2026-06-30"),
                                               body: "{}", createdAt: Double(n)), endpoints: ["directory"])
            }
        }
        let publishers = [store.register, try store.reopen(), try store.reopen()]
        let claimed = ResultBox<[Int]>()
        DispatchQueue.concurrentPerform(iterations: publishers.count) { index in
            claimed.set(index, Result {
                var mine: [Int] = []
                while true {
                    let batch = try publishers[index].claimDueDeliveries(endpoint: "directory", now: 10_000, claimUntil: 20_000, limit: 7)
                    if batch.isEmpty { break }
                    mine += batch.map(\.0.seq)
                }
                return mine
            })
        }
        let lists = try claimed.values.map { try $0.get() }
        let all = lists.flatMap { $0 }
        #expect(all.count == events / 3, "claimed \(all.count) of \(events / 3)")
        #expect(Set(all).count == all.count, "a delivery was claimed twice")
        // The claimed ones are exactly the first of each certificate.
        let firsts = try store.register.deliveries(status: .pending, endpoint: "directory", certificate: nil, limit: events)
            .filter { Int($0.1.id.dropFirst())! % 3 == 0 }.map(\.0.seq)
        #expect(Set(all) == Set(firsts))
        // Claimed until 20 000: nobody gets them again before then, everybody after.
        #expect(try publishers[1].claimDueDeliveries(endpoint: "directory", now: 15_000, claimUntil: 30_000, limit: 1000).isEmpty)
        #expect(try publishers[2].claimDueDeliveries(endpoint: "directory", now: 20_000, claimUntil: 30_000, limit: 1000).count == events / 3)
    }
}

/// Results gathered from concurrent work, by index.
final class ResultBox<Value>: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var results: [Int: Result<Value, any Error>] = [:]

    func set(_ index: Int, _ result: Result<Value, any Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    var values: [Result<Value, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results.sorted { $0.key < $1.key }.map(\.value)
    }
}
