import CertCycleCore
import CertCycleRegister
import CertCycleSampleData
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// The same generated register on both stores gives the same bytes in every output.
@Suite("PostgreSQL and SQLite give byte for byte the same outputs", .serialized, needsPostgres)
struct StoreEquivalenceTests {
    @Test("scan, status, show and export through the CLI are byte for byte the same on both stores")
    func commandOutputs() throws {
        let tmp = try TemporaryFolder("equivalence")
        defer { tmp.cleanUp() }
        try certcycle(["generate", "--certificates", "600", "--seed", "21", "--around", "2026-06-30", "--out", "register"], in: tmp.path)
        let sqlite = try TestStore(.sqlite, in: tmp)
        let postgres = try TestStore(.postgres, in: tmp)
        defer { postgres.cleanUp() }
        let stores = [sqlite, postgres]

        let imports = try stores.map { try certcycle(["import", "register", "--db", $0.url], in: tmp.path).stdout }
        #expect(imports[0] == imports[1])

        for date in ["2025-12-31", "2026-06-30", "2027-03-01"] {
            for command in [["scan", "--format", "jsonl"], ["scan", "--format", "csv"], ["scan", "--format", "table"],
                            ["status", "--format", "jsonl"], ["status", "--format", "table"]] {
                let outputs = try stores.map { try certcycle(command + ["--as-of", date, "--db", $0.url], in: tmp.path) }
                #expect(outputs[0].stdout.count > 100, "\(command) on \(date) printed almost nothing")
                #expect(outputs[0].stdout == outputs[1].stdout, "\(command.joined(separator: " ")) --as-of \(date) differs")
                #expect(outputs[0].stderr == outputs[1].stderr)
            }
        }
        var certificates: [String] = []
        try sqlite.register.forEachCertificate { if certificates.count < 5 { certificates.append($0.certificate.certNo) } }
        for cert in certificates {
            let shown = try stores.map { try certcycle(["show", cert, "--as-of", "2026-06-30", "--db", $0.url], in: tmp.path).stdout }
            #expect(shown[0] == shown[1], "show \(cert) differs")
        }

        try certcycle(["export", "sqlite-export", "--db", sqlite.url], in: tmp.path)
        try certcycle(["export", "postgres-export", "--db", postgres.url], in: tmp.path)
        let exported = try folderContents(tmp.path("sqlite-export"))
        #expect(exported.count == RegisterTable.allCases.count)
        #expect(exported == (try folderContents(tmp.path("postgres-export"))))
    }

    @Test("run through the CLI writes the same notice folders on both stores, and both ledgers verify")
    func runFolders() throws {
        let tmp = try TemporaryFolder("equivalence-run")
        defer { tmp.cleanUp() }
        try certcycle(["generate", "--certificates", "400", "--seed", "22", "--around", "2026-06-30", "--out", "register"], in: tmp.path)
        let sqlite = try TestStore(.sqlite, in: tmp)
        let postgres = try TestStore(.postgres, in: tmp)
        defer { postgres.cleanUp() }
        var printed: [[String]] = [[], []]
        for (index, store) in [sqlite, postgres].enumerated() {
            try certcycle(["import", "register", "--db", store.url], in: tmp.path)
            for date in ["2026-06-01", "2026-06-30"] {
                let run = try certcycle(["run", "--as-of", date, "--db", store.url, "--notices", "notices-\(store.kind)"], in: tmp.path)
                printed[index].append(run.stdout.replacingOccurrences(of: "notices-\(store.kind)", with: "NOTICES"))
            }
            let verify = try certcycle(["ledger", "verify", "--db", store.url, "--notices", "notices-\(store.kind)"], in: tmp.path)
            #expect(verify.stdout.hasPrefix("ledger verified: "))
        }
        #expect(printed[0] == printed[1])
        let expected = try folderContents(tmp.path("notices-sqlite"))
        let actual = try folderContents(tmp.path("notices-postgres"))
        #expect(expected.count > 30)
        #expect(actual.keys.sorted() == expected.keys.sorted())
        // Every file is the same; a manifest also names the ledger's head, whose run records
        // carry each process's own pid and time, so there only the files it lists must match
        // (the test below pins them and compares manifests too).
        let differing = expected.keys.filter { key in
            key.hasSuffix("manifest.json") ? manifestFiles(actual[key]) != manifestFiles(expected[key]) : actual[key] != expected[key]
        }.sorted()
        #expect(differing.isEmpty, "\(differing)")
    }

    @Test("the nightly run with a pinned clock gives identical folders, manifests and ledgers (hash for hash) on every store, the in-memory one included")
    func pinnedRun() throws {
        let tmp = try TemporaryFolder("equivalence-pinned")
        defer { tmp.cleanUp() }
        _ = try RegisterGenerator(certificates: 300, seed: 23, around: day("2026-06-30")).write(to: tmp.path("register"))
        let sqlite = try TestStore(.sqlite, in: tmp)
        let postgres = try TestStore(.postgres, in: tmp)
        defer { postgres.cleanUp() }
        // The in-memory store the runner's tests use must give the same bytes as the real ones.
        let memory = try TestStore(.memory, in: tmp)
        for store in [sqlite, postgres, memory] {
            _ = try RegisterImporter(register: store.register).importDirectory(tmp.path("register"))
            for date in ["2026-06-01", "2026-06-20", "2026-06-30"] {
                _ = try pinnedNightly(store.register, notices: tmp.path("notices-\(store.kind)")).run(asOf: day(date))
            }
        }
        let expected = try folderContents(tmp.path("notices-sqlite"))
        #expect(expected.count > 30)
        #expect(try folderContents(tmp.path("notices-postgres")) == expected)
        #expect(try folderContents(tmp.path("notices-memory")) == expected)
        let ledger = try ledgerDump(sqlite.register)
        #expect(ledger.count > 100)
        #expect(try ledgerDump(postgres.register) == ledger)
        #expect(try ledgerDump(memory.register) == ledger)
        #expect(try memory.register.ledgerDays(kind: .stage, among: ledger.prefix(50).map { String($0.split(separator: " ")[3]) })
                    == sqlite.register.ledgerDays(kind: .stage, among: ledger.prefix(50).map { String($0.split(separator: " ")[3]) }))
        #expect(try postgres.register.lastCompletedDay() == day("2026-06-30"))
        #expect(try postgres.register.lastLedgerEntry(kind: .notice) == sqlite.register.lastLedgerEntry(kind: .notice))
        let keys = ledger.prefix(50).map { String($0.split(separator: " ")[3]) }
        #expect(try postgres.register.ledgerKeys(kind: .stage, among: keys + ["nope"]) == sqlite.register.ledgerKeys(kind: .stage, among: keys + ["nope"]))
        // The day the register was adopted, and the days of keyed entries (regulator_report reads them).
        #expect(try postgres.register.firstCompletedDay() == day("2026-06-01"))
        #expect(try sqlite.register.firstCompletedDay() == day("2026-06-01"))
        let days = try sqlite.register.ledgerDays(kind: .stage, among: keys + ["nope"])
        #expect(!days.isEmpty && days["nope"] == nil)
        #expect(try postgres.register.ledgerDays(kind: .stage, among: keys + ["nope"]) == days)
        // The run's digest lists the body's report for May as due on both stores (the notices compared above include it).
        #expect(try folderContents(tmp.path("notices-sqlite"))["2026-06-01/obligations.csv"].map { String(decoding: $0, as: UTF8.self).contains("认监委月度报告,2026-05") } == true)
    }

    @Test("the outbox answers the same on every store: claims in order per certificate, attempts, redelivery, endpoints")
    func outboxBehaviour() throws {
        let tmp = try TemporaryFolder("equivalence-outbox")
        defer { tmp.cleanUp() }
        var transcripts: [[String]] = []
        for kind in [StoreKind.sqlite, .postgres, .memory] {
            let store = try TestStore(kind, in: tmp)
            defer { store.cleanUp() }
            let outbox = store.register
            var log: [String] = []
            func event(_ id: String, _ cert: String, at time: Double) -> OutboxEvent {
                OutboxEvent(id: id, certificate: cert, type: "certificate.suspended", effectiveOn: day("2026-06-20"),
                            body: "{\"id\":\"\(id)\",\"中文\":\"暂停\"}", createdAt: time)
            }
            try outbox.write { writer in
                try writer.enqueue(event("e1", "CAS-B", at: 100), endpoints: ["directory", "gateway"])
                try writer.enqueue(event("e2", "CAS-B", at: 101), endpoints: ["directory", "gateway"])
                try writer.enqueue(event("e3", "CAS-A", at: 102), endpoints: ["directory"])
                try writer.enqueue(event("e1", "CAS-B", at: 999), endpoints: ["directory", "late"])
            }
            func claim(_ endpoint: String, now: Double, until: Double, limit: Int = 10) throws -> [(Delivery, OutboxEvent)] {
                let claimed = try outbox.claimDueDeliveries(endpoint: endpoint, now: now, claimUntil: until, limit: limit)
                log.append("claim \(endpoint) \(now): " + claimed.map { "\($0.0) \($0.1)" }.joined(separator: " | "))
                return claimed
            }
            let first = try claim("directory", now: 150, until: 200)
            _ = try claim("directory", now: 160, until: 210)
            _ = try claim("gateway", now: 150, until: 200, limit: 1)
            if var delivered = first.first?.0 {
                delivered.status = .delivered
                delivered.attempts = 1
                delivered.lastStatusCode = 204
                delivered.deliveredAt = 161
                try outbox.recordAttempt(DeliveryAttempt(endpoint: delivered.endpoint, eventId: delivered.eventId, attempt: 1, at: 161,
                                                         statusCode: 204, error: nil, milliseconds: 12), delivery: delivered)
            }
            if var failed = first.last?.0 {
                failed.status = .dead
                failed.attempts = 1
                failed.lastStatusCode = 410
                failed.lastError = "HTTP 410 Gone: 地址已失效"
                try outbox.recordAttempt(DeliveryAttempt(endpoint: failed.endpoint, eventId: failed.eventId, attempt: 1, at: 162,
                                                         statusCode: 410, error: "HTTP 410 Gone: 地址已失效", milliseconds: 30), delivery: failed)
            }
            _ = try claim("directory", now: 170, until: 220)
            log.append("next due \(String(describing: try outbox.nextDueTime(endpoints: ["directory", "gateway", "late"])))")
            log.append("next due none \(String(describing: try outbox.nextDueTime(endpoints: [])))")
            try outbox.setEndpointState(EndpointState(name: "gateway", syncedAt: 90))
            try outbox.setEndpointState(EndpointState(name: "gateway", syncedAt: 90, disabledAt: 170.5, disabledReason: "410 Gone"))
            log.append("dead: \(try outbox.deliveries(status: .dead, endpoint: nil, certificate: nil, limit: 10).map { "\($0.0)" })")
            log.append("CAS-B: \(try outbox.deliveries(status: nil, endpoint: "directory", certificate: "CAS-B", limit: 1).map { "\($0.0)" })")
            log.append("redeliver dead: \(try outbox.redeliver(eventId: nil, deadOnly: true, now: 300))")
            log.append("redeliver e1: \(try outbox.redeliver(eventId: "e1", deadOnly: false, now: 301))")
            log.append("redeliver none: \(try outbox.redeliver(eventId: "nope", deadOnly: false, now: 302))")
            _ = try claim("directory", now: 400, until: 500)
            log.append("publishing lock: \(try outbox.beginPublishing(holder: "test") == nil ? "none" : "held")")
            log += try outboxDump(outbox)
            transcripts.append(log)
        }
        // beginPublishing is the one intended difference: SQLite has one publisher at a time.
        let strip = { (lines: [String]) in lines.filter { !$0.hasPrefix("publishing lock") } }
        #expect(strip(transcripts[0]) == strip(transcripts[1]))
        #expect(transcripts[1].contains("publishing lock: none"))
        // The in-memory store behaves as the embedded file, its publishing lock included.
        #expect(transcripts[2] == transcripts[0])
        #expect(transcripts[0].count > 10)
    }
}
