public import CertCycleCore
public import CertCycleRegister
import Foundation
import PostgresNIO

extension PostgresRegister {

    /// A stored entry; one whose kind certcycle could not have written is reported with its
    /// `seq`, never read as another kind.
    static func ledgerEntry(_ row: PostgresRow, record: Bool = false) throws -> LedgerEntry {
        var r = record ? CellReader(record: row) : CellReader(row)
        let seq = r.int() ?? 0
        let asOf = r.requiredDate()
        return LedgerEntry(seq: seq, asOf: asOf, kind: try LedgerKind.stored(r.requiredText(), seq: seq), key: r.requiredText(),
                           payload: r.requiredText(), previousHash: r.requiredText(), hash: r.requiredText())
    }

    public func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry? {
        try withSession { session in
            let (sql, binds) = Self.lastLedgerEntryQuery(kind: kind)
            return try session.query(sql, binds, doing: "reading the ledger").rows.first.map { try Self.ledgerEntry($0) }
        }
    }

    /// The query of `lastLedgerEntry`, also sent inside a write transaction.
    static func lastLedgerEntryQuery(kind: LedgerKind?) -> (String, PostgresBindings) {
        var binds = PostgresBindings()
        if let kind { binds.append(kind.rawValue) }
        return ("SELECT \(StoreCatalogue.ledgerSelect) FROM ledger\(kind == nil ? "" : " WHERE kind = $1") ORDER BY seq DESC LIMIT 1", binds)
    }

    public func lastCompletedDay() throws -> CivilDate? {
        try withSession { session in
            guard let row = try session.query("SELECT max(as_of) FROM ledger WHERE kind = 'run'", doing: "reading the ledger").rows.first else { return nil }
            var r = CellReader(row)
            return r.date()
        }
    }

    public func firstCompletedDay() throws -> CivilDate? {
        try withSession { session in
            guard let row = try session.query("SELECT min(as_of) FROM ledger WHERE kind = 'run'", doing: "reading the ledger").rows.first else { return nil }
            var r = CellReader(row)
            return r.date()
        }
    }

    public func ledgerDays(kind: LedgerKind, among keys: [String]) throws -> [String: CivilDate] {
        guard !keys.isEmpty else { return [:] }
        return try withSession { session in
            var binds = PostgresBindings()
            binds.append(kind.rawValue)
            binds.append(keys)
            var found: [String: CivilDate] = [:]
            for row in try session.query("SELECT key, as_of FROM ledger WHERE kind = $1 AND key = ANY($2)", binds, doing: "reading the ledger").rows {
                var r = CellReader(row)
                let key = r.requiredText()
                let date = r.requiredDate()
                found[key] = min(found[key] ?? date, date)
            }
            return found
        }
    }

    public func ledgerKeys(kind: LedgerKind, among keys: [String]) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try withSession { session in
            var found: Set<String> = []
            // Chunks of keys sent at once, answers read after: one round trip for most days.
            var futures: [EventLoopFuture<PostgresQueryResult>] = []
            var start = 0
            while start < keys.count {
                let chunk = Array(keys[start..<min(start + 10_000, keys.count)])
                start += chunk.count
                var binds = PostgresBindings()
                binds.append(kind.rawValue)
                binds.append(chunk)
                futures.append(session.send("SELECT key FROM ledger WHERE kind = $1 AND key = ANY($2)", binds))
            }
            var failure: (any Error)?
            for future in futures {
                do {
                    for row in try session.wait(future, doing: "reading the ledger").rows {
                        var r = CellReader(row)
                        found.insert(r.requiredText())
                    }
                } catch {
                    failure = failure ?? error
                }
            }
            if let failure { throw failure }
            return found
        }
    }

    public func forEachLedgerEntry(_ body: (LedgerEntry) throws -> Void) throws {
        try reading("reading the ledger") { session in
            let cursor = ChunkedCursor(session: session, name: "ledger_entries", sql: "SELECT ROW(\(StoreCatalogue.ledgerSelect)) FROM ledger ORDER BY seq",
                                       doing: "reading the ledger")
            while let row = try cursor.next() { try body(try Self.ledgerEntry(row, record: true)) }
            try cursor.close()
        }
    }

    // MARK: The run lock

    /// The advisory lock that lets one nightly run work at a time on this database, whatever the
    /// host: `pg_try_advisory_lock` on a connection of its own, held for the lock's life. The
    /// server releases it when that connection ends, so a run that dies (killed, crashed, host
    /// lost once the server notices the connection is gone) never blocks the next one.
    public func acquireRunLock(holder: String) throws -> any RunLock {
        let session = try openSession()
        do {
            let got = try session.query("SELECT pg_try_advisory_lock(\(PostgresRunLock.key.0), \(PostgresRunLock.key.1))", doing: "taking the run lock")
            var r = CellReader(got.rows[0])
            guard r.bool() else {
                let current = try PostgresRunLock.currentHolder(session)
                session.close()
                throw RunLockHeld(holder: current)
            }
            var binds = PostgresBindings()
            binds.append(holder)
            try session.execute("""
                INSERT INTO run_lock (id, holder, backend_pid, since) VALUES (1, $1, pg_backend_pid(), now())
                ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, backend_pid = EXCLUDED.backend_pid, since = EXCLUDED.since
                """, binds, doing: "taking the run lock")
            return PostgresRunLock(session: session, register: self)
        } catch {
            session.close()
            throw error
        }
    }
}

/// A held run lock: the advisory lock of its own connection.
final class PostgresRunLock: RunLock, @unchecked Sendable {
    // @unchecked: `session` is only used under `lock`, and released once.
    private var session: PostgresSession?
    private let lock = NSLock()
    /// Keeps the register, and so the event loop its connection runs on, alive as long as the lock.
    private let register: PostgresRegister

    /// The advisory lock's key: "cert" and 1 (the nightly run).
    static let key = (Int32(0x6365_7274), Int32(1))

    init(session: PostgresSession, register: PostgresRegister) {
        self.session = session
        self.register = register
    }

    func release() {
        lock.lock()
        defer { lock.unlock() }
        guard let session else { return }
        self.session = nil
        _ = try? session.execute("UPDATE run_lock SET holder = NULL, backend_pid = NULL WHERE id = 1 AND backend_pid = pg_backend_pid()",
                                 doing: "releasing the run lock")
        _ = try? session.query("SELECT pg_advisory_unlock(\(Self.key.0), \(Self.key.1))", doing: "releasing the run lock")
        session.close()
    }

    deinit { release() }

    /// Who holds the lock, as that run described itself. The holder writes its description just
    /// after taking the lock, so a run that loses the race by a hair waits a moment for it.
    static func currentHolder(_ session: PostgresSession) throws -> String {
        let sql = """
            SELECT l.holder, k.pid FROM pg_locks k LEFT JOIN run_lock l ON l.backend_pid = k.pid
            WHERE k.locktype = 'advisory' AND k.granted AND k.classid = \(UInt32(bitPattern: key.0)) AND k.objid = \(UInt32(bitPattern: key.1))
              AND k.objsubid = 2 AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        var lastPid: Int?
        for _ in 0..<20 {
            if let row = try session.query(sql, doing: "reading the run lock's holder").rows.first {
                var r = CellReader(row)
                let holder = r.text()
                lastPid = r.int()
                if let holder { return holder }
            } else {
                lastPid = nil
            }
            usleep(50_000)
        }
        return lastPid.map { "holder unknown: PostgreSQL backend pid \($0)" } ?? "holder unknown"
    }
}
