import CertCycleCore
import CertCycleRegister
import CertCycleRegisterPostgres
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// `certcycle migrate-store FROM TO`: the whole register, ledger and outbox, into an empty store.
@Suite("moving a register between stores", .serialized, needsPostgres)
struct MigrateStoreTests {
    /// Puts something in every outbox table: events, deliveries in every state, attempts, endpoints.
    func fillOutbox(_ register: any Register) throws {
        try register.write { writer in
            for n in 0..<5 {
                try writer.enqueue(OutboxEvent(id: "evt-\(n)", certificate: "CAS-2024-\(n % 2)", type: "certificate.suspended",
                                               effectiveOn: day("2026-06-0\(n + 1)"), body: "{\"n\":\(n),\"范围\":\"售后服务\"}",
                                               createdAt: 1_790_000_000 + Double(n)), endpoints: ["directory", "gateway"])
            }
        }
        let claimed = try register.claimDueDeliveries(endpoint: "directory", now: 1_800_000_000, claimUntil: 1_800_000_060, limit: 2)
        for (index, (delivery, _)) in claimed.enumerated() {
            var next = delivery
            next.attempts = 1
            next.status = index == 0 ? .delivered : .dead
            next.lastStatusCode = index == 0 ? 200 : 410
            next.lastError = index == 0 ? nil : "HTTP 410"
            next.deliveredAt = index == 0 ? 1_800_000_001.25 : nil
            try register.recordAttempt(DeliveryAttempt(endpoint: delivery.endpoint, eventId: delivery.eventId, attempt: 1, at: 1_800_000_001.25,
                                                       statusCode: next.lastStatusCode, error: next.lastError, milliseconds: 87), delivery: next)
        }
        _ = try register.claimDueDeliveries(endpoint: "gateway", now: 1_800_000_000, claimUntil: 1_800_000_090, limit: 1)
        try register.setEndpointState(EndpointState(name: "directory", syncedAt: 1_790_000_000))
        try register.setEndpointState(EndpointState(name: "gateway", syncedAt: 1_790_000_000, disabledAt: 1_800_000_002, disabledReason: "410 Gone"))
    }

    @Test("SQLite → PostgreSQL → SQLite: every table, the ledger (verify passes) and the outbox arrive unchanged; runs go on after")
    func roundTrip() throws {
        let tmp = try TemporaryFolder("migrate")
        defer { tmp.cleanUp() }
        try certcycle(["generate", "--certificates", "300", "--seed", "31", "--around", "2026-06-30", "--out", "register"], in: tmp.path)
        let original = "sqlite:" + tmp.path("original.sqlite")
        let notices = ["--notices", tmp.path("notices")]
        try certcycle(["import", "register", "--db", original], in: tmp.path)
        try certcycle(["run", "--as-of", "2026-06-01", "--db", original] + notices, in: tmp.path)
        try certcycle(["run", "--as-of", "2026-06-10", "--db", original] + notices, in: tmp.path)
        try fillOutbox(try SQLiteRegister(path: tmp.path("original.sqlite")))

        let target = try TestPostgres.createDatabase()
        defer { TestPostgres.dropDatabase(target) }
        let there = try certcycle(["migrate-store", original, target.string], in: tmp.path)
        #expect(there.stdout.contains("ledger: "))
        #expect(there.stdout.contains("deliveries: 10 rows"))
        #expect(there.stdout.contains("copied the register into \(target.string)"))
        let back = "sqlite:" + tmp.path("back.sqlite")
        try certcycle(["migrate-store", target.string, back], in: tmp.path)

        let registers: [any Register] = [try SQLiteRegister(path: tmp.path("original.sqlite")), try PostgresRegister(url: target),
                                         try SQLiteRegister(path: tmp.path("back.sqlite"))]
        let ledger = try ledgerDump(registers[0])
        let outbox = try outboxDump(registers[0])
        #expect(ledger.count > 100)
        #expect(outbox.count >= 12)
        for register in registers.dropFirst() {
            #expect(try ledgerDump(register) == ledger)
            #expect(try outboxDump(register) == outbox)
            for table in RegisterTable.allCases {
                #expect(try register.count(table) == registers[0].count(table), "\(table)")
            }
        }
        for (index, db) in [original, target.string, back].enumerated() {
            try certcycle(["export", "export-\(index)", "--db", db], in: tmp.path)
            let verify = try certcycle(["ledger", "verify", "--db", db] + notices, in: tmp.path)
            #expect(verify.stdout.hasPrefix("ledger verified: "), "\(verify.stdout)")
        }
        #expect(try folderContents(tmp.path("export-0")) == folderContents(tmp.path("export-1")))
        #expect(try folderContents(tmp.path("export-0")) == folderContents(tmp.path("export-2")))

        // Work goes on on the copy: the next run and new deliveries continue the numbering.
        let copy = registers[1]
        try copy.write { writer in
            try writer.enqueue(OutboxEvent(id: "evt-new", certificate: "CAS-9", type: "certificate.renewed", effectiveOn: day("2026-06-11"),
                                           body: "{}", createdAt: 1_800_000_100), endpoints: ["directory"])
        }
        let newest = try copy.deliveries(status: nil, endpoint: "directory", certificate: "CAS-9", limit: 1)
        #expect(newest.first?.0.seq == 11)
        let next = try certcycle(["run", "--as-of", "2026-06-12", "--db", target.string] + notices, in: tmp.path)
        #expect(next.stdout.contains("2026-06-11:") && next.stdout.contains("2026-06-12:"))
        try certcycle(["ledger", "verify", "--db", target.string] + notices, in: tmp.path)
    }

    @Test("a target that is not empty is refused (exit 64) and left as it was")
    func refusesNonEmptyTarget() throws {
        let tmp = try TemporaryFolder("migrate-refuse")
        defer { tmp.cleanUp() }
        try certcycle(["generate", "--certificates", "40", "--seed", "32", "--out", "register"], in: tmp.path)
        let source = "sqlite:" + tmp.path("source.sqlite")
        try certcycle(["import", "register", "--db", source], in: tmp.path)
        let target = try TestStore(.postgres, in: tmp)
        defer { target.cleanUp() }
        try certcycle(["migrate-store", source, target.url], in: tmp.path)
        let before = try target.register.count(.certificates)
        #expect(before == 40)

        let again = try runCertcycle(["migrate-store", source, target.url], in: tmp.path)
        #expect(again.status == 64)
        #expect(again.stderr.hasPrefix("migrate-store changed nothing: the target register \(try #require(target.postgresURL).display) is not empty (organizations: "))
        #expect(again.stderr.filter { $0 == "\n" }.count == 1)
        #expect(try target.register.count(.certificates) == before)

        let toFile = try runCertcycle(["migrate-store", target.url, source], in: tmp.path)
        #expect(toFile.status == 64)
        #expect(toFile.stderr.contains("the target register sqlite:\(tmp.path("source.sqlite")) is not empty"))
        let same = try runCertcycle(["migrate-store", source, source], in: tmp.path)
        #expect(same.status == 64)
        let missing = try runCertcycle(["migrate-store", "sqlite:" + tmp.path("missing.sqlite"), "sqlite:" + tmp.path("new.sqlite")], in: tmp.path)
        // INTERFACE.md "Opening a register": a source that does not exist is 69, and nothing is made.
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("no register at"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path("missing.sqlite")))
    }
}
