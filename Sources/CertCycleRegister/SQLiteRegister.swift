public import CertCycleCore
import Foundation
import GRDB
import GRDBSQLite

/// The embedded register: one SQLite file, through GRDB.
///
/// Tables that belong to a certificate are `WITHOUT ROWID` tables keyed by
/// `(cert_no, id)`, so they are stored in certificate order and the nightly scan reads every
/// table front to back at once, merging them like sorted files; a unique index on the id
/// keeps ids unique and serves upserts.
public final class SQLiteRegister: Register {
    let dbQueue: DatabaseQueue
    public let path: String

    /// How a register file may be opened.
    public enum OpenMode: Sendable {
        /// Creates the file when it does not exist (`import`, `demo`, the target of `migrate-store`).
        case create
        /// The file must already be a certcycle register; nothing is created or changed otherwise.
        case existing
        /// As `existing`, and SQLite's `quick_check` must pass first (before a run writes anything).
        case existingChecked
    }

    /// Opens the register at `path` and brings its schema up to date. With `.existing`, a
    /// missing, empty or foreign file is refused (`RegisterError.Kind.unavailable`) and a damaged
    /// one too (`.damaged`), leaving the file system as it was.
    public init(path: String, mode: OpenMode = .create) throws {
        self.path = path
        if mode != .create { try Self.checkExisting(path, quickCheck: mode == .existingChecked) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            dbQueue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(dbQueue)
        } catch let error as DatabaseError {
            if let damaged = Self.damage(error, path: path) { throw damaged }
            throw RegisterError("cannot open the register \(path): \(error.message ?? error.description)")
        }
    }

    /// Refuses, without creating or changing anything, a path that is not a certcycle register.
    static func checkExisting(_ path: String, quickCheck: Bool) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RegisterError("no register at \(path): the file does not exist (a mistyped --db? `certcycle import` or `certcycle demo` makes one); nothing was created",
                                kind: .unavailable)
        }
        guard !isDirectory.boolValue else { throw RegisterError("\(path) is a folder, not a register file", kind: .unavailable) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RegisterError("cannot read the register \(path): permission denied", kind: .unavailable)
        }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard !header.isEmpty else {
            throw RegisterError("\(path) is empty (0 bytes), not a certcycle register; nothing was changed", kind: .unavailable)
        }
        guard header == Data("SQLite format 3\0".utf8) else {
            throw RegisterError("\(path) is not a certcycle register (not an SQLite database file); nothing was changed", kind: .unavailable)
        }
        // Looked at read-only, so that a foreign database is left exactly as it was.
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.read { db in
                let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                guard tables.contains("grdb_migrations"), tables.contains("certificates"), tables.contains("ledger") else {
                    throw RegisterError("\(path) is an SQLite database but not a certcycle register (no certificates and ledger tables); nothing was changed",
                                        kind: .unavailable)
                }
                guard quickCheck else { return }
                let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
                if problems != ["ok"] {
                    throw RegisterError("the register \(path) is damaged (SQLite quick_check: \(problems.first ?? "?")); nothing was written: restore it from a backup",
                                        kind: .damaged)
                }
            }
            try queue.close()
        } catch let error as DatabaseError {
            throw damage(error, path: path) ?? RegisterError("cannot open the register \(path): \(error.message ?? error.description)")
        }
    }

    /// The one-line error for SQLite's "damaged" result codes (11 corrupt, 26 not a database),
    /// or nil for any other error.
    public static func damage(_ error: any Error, path: String? = nil) -> RegisterError? {
        guard let error = error as? DatabaseError,
              error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        else { return nil }
        return RegisterError("the register\(path.map { " " + $0 } ?? "") is damaged (SQLite: \(error.message ?? "database disk image is malformed")); restore it from a backup",
                             kind: .damaged)
    }

    // MARK: Schema

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // v1–v3 make today's tables from the catalogue (a register made before a column was
        // added gets it from the migration that added it).
        migrator.registerMigration("v1 register tables") { db in
            try create(StoreCatalogue.tables.filter { $0.register != nil }, in: db)
        }
        migrator.registerMigration("v2 ledger") { db in
            try create([StoreCatalogue.ledger], in: db)
        }
        migrator.registerMigration("v3 outbox") { db in
            try create(StoreCatalogue.outbox, in: db)
        }
        migrator.registerMigration("v4 reasons of special audits and not-accepted applications") { db in
            // v1 makes the tables from today's column lists, so a new register has the columns already.
            for table in ["audits", "applications"] where try !db.columns(in: table).contains(where: { $0.name == "reason" }) {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN reason TEXT")
            }
        }
        return migrator
    }


    // MARK: Writing

    public func write<T>(_ body: (any RegisterWriter) throws -> T) throws -> T {
        try dbQueue.write { db in
            try body(SQLiteWriter(db: db))
        }
    }

    private struct SQLiteWriter: RegisterWriter {
        let db: Database
        /// The upsert statement of the last table and columns: an import writes millions of rows
        /// of one shape in a row, and building its SQL for each cost as much as running it.
        private let lastUpsert = LastUpsert()

        init(db: Database) { self.db = db }

        func exists(_ table: RegisterTable, id: String) throws -> Bool {
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM \(table.rawValue) WHERE \(table.idColumn) = ?")
            return try Bool.fetchOne(statement, arguments: [id]) != nil
        }

        func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry? {
            try SQLiteRegister.lastLedgerEntry(db, kind: kind)
        }

        func endpointStates() throws -> [String: EndpointState] {
            try SQLiteRegister.endpointStates(db)
        }

        func upsert(_ table: RegisterTable, columns: [Int], values: [CellValue?]) throws {
            if lastUpsert.table != table || lastUpsert.columns != columns {
                lastUpsert.statement = try upsertStatement(table, columns: columns)
                lastUpsert.table = table
                lastUpsert.columns = columns
            }
            try lastUpsert.statement!.execute(binding: columns.map { values[$0] })
        }

        private func upsertStatement(_ table: RegisterTable, columns: [Int]) throws -> Statement {
            let names = columns.map { table.columns[$0].name }
            let updates = names.dropFirst().map { "\($0) = excluded.\($0)" }
            let sql = "INSERT INTO \(table.rawValue) (\(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
                + " ON CONFLICT(\(table.idColumn)) DO " + (updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
            return try db.cachedStatement(sql: sql)
        }

        func setEndpointState(_ state: EndpointState) throws {
            try SQLiteRegister.saveEndpointState(state, in: db)
        }

        func enqueue(_ event: OutboxEvent, endpoints: [String]) throws {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO events (event_id, cert_no, type, effective_on, body, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [event.id, event.certificate, event.type, event.effectiveOn.description, event.body, event.createdAt])
            let delivery = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO deliveries (endpoint, event_id, cert_no, status, attempts, next_attempt_at) VALUES (?, ?, ?, 'pending', 0, ?)
                """)
            for endpoint in endpoints {
                try delivery.execute(arguments: [endpoint, event.id, event.certificate, event.createdAt])
            }
        }

        func removeLedgerEntries(fromSeq seq: Int) throws {
            try db.execute(sql: "DELETE FROM ledger WHERE seq >= ?", arguments: [seq])
        }

        func removeUndeliveredEvents(effectiveAfter date: CivilDate) throws -> (removed: Int, delivered: Int) {
            let day = date.description
            try db.execute(sql: """
                DELETE FROM delivery_attempts WHERE EXISTS (
                    SELECT 1 FROM deliveries d JOIN events e ON e.event_id = d.event_id
                    WHERE d.endpoint = delivery_attempts.endpoint AND d.event_id = delivery_attempts.event_id
                      AND e.effective_on > ? AND d.status <> 'delivered')
                """, arguments: [day])
            try db.execute(sql: """
                DELETE FROM deliveries WHERE status <> 'delivered' AND event_id IN (SELECT event_id FROM events WHERE effective_on > ?)
                """, arguments: [day])
            try db.execute(sql: """
                DELETE FROM events WHERE effective_on > ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.event_id)
                """, arguments: [day])
            let removed = db.changesCount
            let delivered = try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE effective_on > ?", arguments: [day]) ?? 0
            return (removed, delivered)
        }

        func append(_ entry: LedgerEntry) throws {
            let last = try Int.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM ledger")) ?? 0
            guard entry.seq == last + 1 else {
                throw RegisterError("ledger entry \(entry.seq) does not follow the last one (\(last)); was the ledger written by another run?")
            }
            try db.cachedStatement(sql: "INSERT INTO ledger (seq, as_of, kind, key, payload, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [entry.seq, entry.asOf.description, entry.kind.rawValue, entry.key, entry.payload, entry.previousHash, entry.hash])
        }
    }

    // MARK: Outbox


    static func delivery(_ r: Row) throws -> Delivery {
        try Delivery(seq: r[0], endpoint: r[1], eventId: r[2], certificate: r[3], status: r.choice(4, .deliveries),
                 attempts: r[5], nextAttemptAt: r[6], lastStatusCode: r[7], lastError: r[8], deliveredAt: r[9])
    }

    static func event(_ r: Row, from start: Int) throws -> OutboxEvent {
        try OutboxEvent(id: r[start], certificate: r[start + 1], type: r[start + 2], effectiveOn: r.requiredDate(start + 3, StoredTable(name: "events", idColumn: start)),
                    body: r[start + 4], createdAt: r[start + 5])
    }

    public func beginPublishing(holder: String) throws -> (any RunLock)? {
        let lock = try FileRunLock(path: path + ".publish.lock", holder: holder)
        // Only one publisher works on this file at a time: any claim left is a dead one's.
        try dbQueue.write { db in try db.execute(sql: "UPDATE deliveries SET claimed_until = 0 WHERE claimed_until > 0") }
        return lock
    }

    public func claimDueDeliveries(endpoint: String, now: Double, claimUntil: Double, limit: Int) throws -> [(Delivery, OutboxEvent)] {
        try dbQueue.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(StoreCatalogue.deliverySelect), \(StoreCatalogue.eventSelect)
                FROM deliveries d JOIN events e ON e.event_id = d.event_id
                WHERE d.endpoint = ? AND d.status = 'pending' AND d.next_attempt_at <= ? AND d.claimed_until <= ?
                  AND NOT EXISTS (SELECT 1 FROM deliveries p
                                  WHERE p.endpoint = d.endpoint AND p.cert_no = d.cert_no AND p.seq < d.seq AND p.status <> 'delivered')
                ORDER BY d.seq LIMIT ?
                """, arguments: [endpoint, now, now, limit])
            let claim = try db.cachedStatement(sql: "UPDATE deliveries SET claimed_until = ? WHERE seq = ?")
            return try rows.map { row in
                let delivery = try Self.delivery(row)
                try claim.execute(arguments: [claimUntil, delivery.seq])
                return (delivery, try Self.event(row, from: 10))
            }
        }
    }

    public func nextDueTime(endpoints: [String]) throws -> Double? {
        guard !endpoints.isEmpty else { return nil }
        // Only deliveries that claimDueDeliveries could hand out: the earliest undelivered one of
        // their certificate. One waiting behind an earlier pending or dead delivery is not due,
        // whatever its own time (counting it made the publisher spin without sleeping).
        return try dbQueue.read { db in
            try Double.fetchOne(db, sql: """
                SELECT min(max(d.next_attempt_at, d.claimed_until)) FROM deliveries d
                WHERE d.status = 'pending' AND d.endpoint IN (\(Array(repeating: "?", count: endpoints.count).joined(separator: ",")))
                  AND NOT EXISTS (SELECT 1 FROM deliveries p
                                  WHERE p.endpoint = d.endpoint AND p.cert_no = d.cert_no AND p.seq < d.seq AND p.status <> 'delivered')
                """, arguments: StatementArguments(endpoints))
        }
    }

    public func recordAttempt(_ attempt: DeliveryAttempt, delivery: Delivery) throws {
        try recordAttempts([(attempt, delivery)])
    }

    public func releaseClaims(_ deliveries: [Delivery]) throws {
        guard !deliveries.isEmpty else { return }
        try dbQueue.write { db in
            let release = try db.cachedStatement(sql: "UPDATE deliveries SET claimed_until = 0 WHERE endpoint = ? AND event_id = ?")
            for delivery in deliveries { try release.execute(arguments: [delivery.endpoint, delivery.eventId]) }
        }
    }

    public func recordAttempts(_ attempts: [(DeliveryAttempt, Delivery)]) throws {
        try dbQueue.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO delivery_attempts (endpoint, event_id, attempt, at, status_code, error, milliseconds)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, claimed_until = 0, last_status_code = ?,
                    last_error = ?, delivered_at = ? WHERE endpoint = ? AND event_id = ?
                """)
            for (attempt, delivery) in attempts {
                try insert.execute(arguments: [attempt.endpoint, attempt.eventId, attempt.attempt, attempt.at, attempt.statusCode,
                                               attempt.error, attempt.milliseconds])
                try update.execute(arguments: [delivery.status.rawValue, delivery.attempts, delivery.nextAttemptAt, delivery.lastStatusCode,
                                               delivery.lastError, delivery.deliveredAt, delivery.endpoint, delivery.eventId])
            }
        }
    }

    public func deliveryCounts() throws -> [String: [DeliveryStatus: Int]] {
        try dbQueue.read { db in
            var counts: [String: [DeliveryStatus: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, status, count(*) FROM deliveries GROUP BY endpoint, status") {
                if let status = DeliveryStatus(rawValue: row[1]) { counts[row[0], default: [:]][status] = row[2] }
            }
            return counts
        }
    }

    public func deliveries(status: DeliveryStatus?, endpoint: String?, certificate: String?, limit: Int) throws -> [(Delivery, OutboxEvent)] {
        try dbQueue.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let status { conditions.append("d.status = ?"); arguments.append(status.rawValue) }
            if let endpoint { conditions.append("d.endpoint = ?"); arguments.append(endpoint) }
            if let certificate { conditions.append("d.cert_no = ?"); arguments.append(certificate) }
            arguments.append(limit)
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: """
                SELECT \(StoreCatalogue.deliverySelect), \(StoreCatalogue.eventSelect)
                FROM deliveries d JOIN events e ON e.event_id = d.event_id \(filter) ORDER BY d.seq LIMIT ?
                """, arguments: StatementArguments(arguments)).map { (try Self.delivery($0), try Self.event($0, from: 10)) }
        }
    }

    public func attempts(endpoint: String, eventId: String) throws -> [DeliveryAttempt] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT endpoint, event_id, attempt, at, status_code, error, milliseconds FROM delivery_attempts WHERE endpoint = ? AND event_id = ? ORDER BY attempt",
                             arguments: [endpoint, eventId]).map { r in
                DeliveryAttempt(endpoint: r[0], eventId: r[1], attempt: r[2], at: r[3], statusCode: r[4], error: r[5], milliseconds: r[6])
            }
        }
    }

    public func redeliver(eventId: String?, deadOnly: Bool, now: Double) throws -> Int {
        try dbQueue.write { db in
            var sql = "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, claimed_until = 0 WHERE status <> 'pending'"
            var arguments: [(any DatabaseValueConvertible)?] = [now]
            if deadOnly { sql += " AND status = 'dead'" }
            if let eventId { sql += " AND event_id = ?"; arguments.append(eventId) }
            try db.execute(sql: sql, arguments: StatementArguments(arguments))
            return db.changesCount
        }
    }

    public func endpointStates() throws -> [String: EndpointState] {
        try dbQueue.read { db in try Self.endpointStates(db) }
    }

    static func endpointStates(_ db: Database) throws -> [String: EndpointState] {
        var states: [String: EndpointState] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT name, synced_at, disabled_at, disabled_reason FROM endpoints") {
            states[r[0]] = EndpointState(name: r[0], syncedAt: r[1], disabledAt: r[2], disabledReason: r[3])
        }
        return states
    }

    public func setEndpointState(_ state: EndpointState) throws {
        try dbQueue.write { db in try Self.saveEndpointState(state, in: db) }
    }

    static func saveEndpointState(_ state: EndpointState, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO endpoints (name, synced_at, disabled_at, disabled_reason) VALUES (?, ?, ?, ?)",
                       arguments: [state.name, state.syncedAt, state.disabledAt, state.disabledReason])
    }

    // MARK: Runs and the ledger

    public func checkWritable() throws {
        do {
            try dbQueue.inDatabase { db in
                // A real write, rolled back: SQLite only refuses a read-only file when a statement writes.
                try db.execute(sql: "BEGIN IMMEDIATE")
                defer { try? db.execute(sql: "ROLLBACK") }
                try db.execute(sql: "INSERT INTO endpoints (name) VALUES ('.certcycle-write-check')")
            }
        } catch let error as DatabaseError {
            throw RegisterError("the register \(path) cannot be written (\(error.message ?? "\(error.resultCode)")): "
                + "check the permissions of the file and its folder, and the free space, then run again")
        }
    }

    public func acquireRunLock(holder: String) throws -> any RunLock {
        try FileRunLock(path: path + ".lock", holder: holder)
    }

    public func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry? {
        try dbQueue.read { db in try Self.lastLedgerEntry(db, kind: kind) }
    }

    static func lastLedgerEntry(_ db: Database, kind: LedgerKind?) throws -> LedgerEntry? {
        try Row.fetchOne(db, sql: "SELECT \(StoreCatalogue.ledgerSelect) FROM ledger\(kind == nil ? "" : " WHERE kind = ?") ORDER BY seq DESC LIMIT 1",
                         arguments: kind.map { [$0.rawValue] } ?? []).map(ledgerEntry)
    }

    public func lastCompletedDay() throws -> CivilDate? {
        try dbQueue.read { db in
            try String.fetchOne(db, sql: "SELECT max(as_of) FROM ledger WHERE kind = 'run'").flatMap { CivilDate(parsing: $0) }
        }
    }

    public func firstCompletedDay() throws -> CivilDate? {
        try dbQueue.read { db in
            try String.fetchOne(db, sql: "SELECT min(as_of) FROM ledger WHERE kind = 'run'").flatMap { CivilDate(parsing: $0) }
        }
    }

    public func ledgerDays(kind: LedgerKind, among keys: [String]) throws -> [String: CivilDate] {
        try dbQueue.read { db in
            var found: [String: CivilDate] = [:]
            var start = 0
            while start < keys.count {
                let chunk = Array(keys[start..<min(start + 500, keys.count)])
                start += chunk.count
                let sql = "SELECT key, as_of FROM ledger WHERE kind = ? AND key IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))"
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments([kind.rawValue] + chunk)) {
                    let key: String = row[0]
                    let day: String = row[1]
                    guard let date = CivilDate(parsing: day) else {
                        throw RegisterError("ledger entry \(kind) \(key) has the as-of date '\(day)', which is not a date", kind: .damaged)
                    }
                    found[key] = min(found[key] ?? date, date)
                }
            }
            return found
        }
    }

    public func ledgerKeys(kind: LedgerKind, among keys: [String]) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try dbQueue.read { db in
            // One statement for every chunk (prepared once: a night asks about a million keys); a
            // short last chunk repeats its last key, which IN does not mind.
            let width = 500
            let statement = try db.cachedStatement(sql: "SELECT key FROM ledger WHERE kind = ? AND key IN (\(Array(repeating: "?", count: width).joined(separator: ",")))")
            var found: Set<String> = []
            var start = 0
            while start < keys.count {
                let chunk = keys[start..<min(start + width, keys.count)]
                start = chunk.endIndex
                let padding = repeatElement(chunk.last!, count: width - chunk.count)
                let rows = try String.fetchCursor(statement, arguments: StatementArguments([kind.rawValue] + chunk + padding))
                while let key = try rows.next() { found.insert(key) }
            }
            return found
        }
    }

    public func forEachLedgerEntry(_ body: (LedgerEntry) throws -> Void) throws {
        try dbQueue.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT \(StoreCatalogue.ledgerSelect) FROM ledger ORDER BY seq")
            while let row = try rows.next() { try body(Self.ledgerEntry(row)) }
        }
    }


    /// A stored entry; one whose date or kind certcycle could not have written is reported
    /// with its `seq`, never read as day 0 or another kind.
    static func ledgerEntry(_ row: Row) throws -> LedgerEntry {
        let seq: Int = row[0]
        return LedgerEntry(seq: seq, asOf: try row.requiredDate(1, StoredTable(name: "ledger", idColumn: 0)), kind: try LedgerKind.stored(row[2], seq: seq), key: row[3],
                           payload: row[4], previousHash: row[5], hash: row[6])
    }

    // MARK: Reading

    public func count(_ table: RegisterTable) throws -> Int {
        try dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.rawValue)") ?? 0 }
    }

    public func forEachRow(of table: RegisterTable, _ body: ([CellValue?]) throws -> Void) throws {
        let columns = table.columns
        try dbQueue.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(table.rawValue) ORDER BY \(table.idColumn)")
            while let row = try rows.next() {
                try body(columns.indices.map { index in
                    CellValue(row[index] as DatabaseValue, kind: columns[index].kind)
                })
            }
        }
    }

    public func certificateFile(_ certNo: String) throws -> CertificateFile? {
        try dbQueue.read { db in
            var found: CertificateFile?
            try Self.scan(db, where: certNo) { found = $0 }
            return found
        }
    }

    public func forEachCertificate(_ body: (CertificateFile) throws -> Void) throws {
        try dbQueue.read { db in try Self.scan(db, where: nil, body) }
    }

    public func appeals() throws -> [Appeal] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT \(RecordMapping.selectList(.appeals)) FROM appeals ORDER BY appeal_id").map { row in
                var r = RecordReader(.appeals, SQLiteCells(row))
                return try RecordMapping.appeal(&r)
            }
        }
    }

    public func organizations(_ ids: Set<String>) throws -> [String: Organization] {
        try dbQueue.read { db in
            var result: [String: Organization] = [:]
            let statement = try db.cachedStatement(sql: "SELECT \(RecordMapping.selectList(.organizations)) FROM organizations WHERE org_id = ?")
            for id in ids.sorted() {
                if let row = try Row.fetchOne(statement, arguments: [id]) {
                    var r = RecordReader(.organizations, SQLiteCells(row))
                    result[id] = RecordMapping.organization(&r)
                }
            }
            return result
        }
    }

    public func notAcceptedApplications() throws -> [Application] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT \(RecordMapping.selectList(.applications)) FROM applications WHERE outcome = 'not_accepted' ORDER BY application_id")
                .map { row in
                    var r = RecordReader(.applications, SQLiteCells(row))
                    return try RecordMapping.application(&r)
                }
        }
    }

    /// Reads certificates (with their organisation) and every table that belongs to them in
    /// `cert_no` order, one cursor each, handing over one certificate's file at a time. Each
    /// table's columns and their meaning come from `RecordMapping`.
    private static func scan(_ db: Database, where certNo: String?, _ body: (CertificateFile) throws -> Void) throws {
        let arguments: StatementArguments = certNo.map { [$0] } ?? []
        func merged<Record>(_ table: RegisterTable, _ map: @escaping (inout RecordReader<SQLiteCells>) throws -> Record) throws -> MergeCursor<Record> {
            let condition = certNo == nil ? (table == .applications ? " WHERE cert_no IS NOT NULL" : "") : " WHERE cert_no = ?"
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(RecordMapping.selectList(table)) FROM \(table.rawValue)\(condition) ORDER BY cert_no, \(table.idColumn)",
                                             arguments: arguments)
            return MergeCursor(cursor, keyColumn: RecordMapping.certificatePosition(table)!) { row in
                var r = RecordReader(table, SQLiteCells(row))
                return try map(&r)
            }
        }
        let certificates = try Row.fetchCursor(db, sql: """
            SELECT \(RecordMapping.selectList(.certificates, alias: "c")), \(RecordMapping.selectList(.organizations, alias: "o"))
            FROM certificates c LEFT JOIN organizations o ON o.org_id = c.org_id\(certNo == nil ? "" : " WHERE c.cert_no = ?")
            ORDER BY c.cert_no
            """, arguments: arguments)
        let audits = try merged(.audits, RecordMapping.audit)
        let ncs = try merged(.nonconformities, RecordMapping.nonconformity)
        let suspensions = try merged(.suspensions, RecordMapping.suspension)
        let withdrawals = try merged(.withdrawals, RecordMapping.withdrawal)
        let misuse = try merged(.misuse, RecordMapping.misuseCase)
        let applications = try merged(.applications, RecordMapping.application)

        while let row = try certificates.next() {
            var r = RecordReader(.certificates, SQLiteCells(row))
            let certificate = try RecordMapping.certificate(&r)
            var o = RecordReader(.organizations, r.cells)
            let organization = RecordMapping.joinedOrganization(&o)
            let cert = certificate.certNo
            let file = CertificateFile(
                certificate: certificate, organization: organization, audits: try audits.take(cert),
                nonconformities: try ncs.take(cert), suspensions: try suspensions.take(cert), withdrawals: try withdrawals.take(cert),
                applications: try applications.take(cert), misuseCases: try misuse.take(cert)
            )
            try body(file)
        }
    }
}

/// A GRDB row's cells, front to back (see `StoredCells`). Text and dates are read straight from
/// SQLite's buffer; a number stored as text (someone's own tool) is converted, not a crash.
struct SQLiteCells: StoredCells {
    let row: Row
    var index = 0

    init(_ row: Row) {
        self.row = row
    }

    mutating func text() -> String? {
        defer { index += 1 }
        if row.hasNull(atIndex: index) { return nil }
        if let text = try? row.decode(String.self, atIndex: index) { return text }
        return Self.text(row[index])
    }

    mutating func integer() -> Int? {
        defer { index += 1 }
        switch (row[index] as DatabaseValue).storage {
        case .int64(let i): return Int(i)
        case .double(let d): return Int(exactly: d)
        case .string(let s): return Int(s)
        case .null, .blob: return nil
        }
    }

    mutating func real() -> Double? {
        defer { index += 1 }
        switch (row[index] as DatabaseValue).storage {
        case .int64(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s)
        case .null, .blob: return nil
        }
    }

    mutating func date() -> DateCell {
        defer { index += 1 }
        if row.hasNull(atIndex: index) { return .null }
        if let stored = try? row.decode(StoredDate.self, atIndex: index) { return .day(stored.date) }
        return .undecodable(Self.text(row[index]))
    }

    static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: ""
        case .string(let s): s
        case .int64(let i): String(i)
        case .double(let d): String(d)
        case .blob(let data): String(decoding: data, as: UTF8.self)
        }
    }
}

/// One table's rows, sorted by certificate, mapped to records as they are read; hands over
/// the records of one certificate at a time (a merge join over sorted tables).
private final class MergeCursor<Record> {
    private let cursor: RowCursor
    private let keyColumn: Int
    private let map: (Row) throws -> Record
    /// The first record read that belongs to a later certificate.
    private var pending: (key: String, record: Record)?
    private var exhausted = false

    init(_ cursor: RowCursor, keyColumn: Int = 0, _ map: @escaping (Row) throws -> Record) {
        self.cursor = cursor
        self.keyColumn = keyColumn
        self.map = map
    }

    /// The records at the front that belong to `certNo`.
    func take(_ certNo: String) throws -> [Record] {
        var result: [Record] = []
        while true {
            if pending == nil, !exhausted {
                if let row = try cursor.next() {
                    pending = (row[keyColumn], try map(row))
                } else {
                    exhausted = true
                }
            }
            guard let next = pending, next.key == certNo else { return result }
            result.append(next.record)
            pending = nil
        }
    }
}

/// `a;b;c` → `["a", "b", "c"]`. Lists are stored normalised (trimmed, no empty items) by the
/// importer, so reading them back, in any store, is a plain split of the UTF-8 bytes.
public func splitList(_ text: String?) -> [String] {
    guard var text, !text.isEmpty else { return [] }
    return text.withUTF8 { bytes in
        var items: [String] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: ";") {
            if index > start { items.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
            start = index + 1
        }
        return items
    }
}

extension CellValue {
    init?(_ value: DatabaseValue, kind: RegisterColumn.Kind) {
        switch value.storage {
        case .null: return nil
        case .int64(let i):
            if case .score = kind { self = .real(Double(i)) } else if case .manDays = kind { self = .real(Double(i)) } else { self = .integer(Int(i)) }
        case .double(let d): self = .real(d)
        case .string(let s):
            if case .date = kind, let date = CivilDate(parsing: s) { self = .date(date) } else { self = .text(s) }
        case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
        }
    }
}

/// A `YYYY-MM-DD` column, read straight from SQLite's buffer without making a String.
struct StoredDate: DatabaseValueConvertible, StatementColumnConvertible {
    let date: CivilDate

    var databaseValue: DatabaseValue { date.description.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredDate? {
        guard case .string(let s) = dbValue.storage, let date = CivilDate(parsing: s) else { return nil }
        return StoredDate(date: date)
    }

    init(date: CivilDate) {
        self.date = date
    }

    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        guard let text = sqlite3_column_text(sqliteStatement, index),
              let date = CivilDate(iso: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(sqliteStatement, index))))
        else { return nil }
        self.date = date
    }
}

/// A table as its rows are read back: the name and the column of the row's id, for a value
/// that cannot be decoded.
struct StoredTable {
    var name: String
    var idColumn: Int

    static let deliveries = StoredTable(name: "deliveries", idColumn: 0)
}

/// Reading stored values back: NULL is nil; a value certcycle could not have written (a date
/// that is not one, a kind it does not know) is reported with its table, row and column
/// (`RegisterError.undecodable`), never read as NULL, day 0 or another kind.
extension Row {
    /// The date in column `index`, or nil when it is NULL.
    /// (GRDB's subscript would stop the process on a value it cannot decode: `decode` throws.)
    func date(_ index: Int, _ table: StoredTable) throws -> CivilDate? {
        if hasNull(atIndex: index) { return nil }
        if let stored = try? decode(StoredDate.self, atIndex: index) { return stored.date }
        throw undecodable(index, table, expected: "a date (YYYY-MM-DD)")
    }

    /// The date in a NOT NULL column.
    func requiredDate(_ index: Int, _ table: StoredTable) throws -> CivilDate {
        guard let date = try date(index, table) else { throw undecodable(index, table, expected: "a date (it is empty)") }
        return date
    }

    /// One of a fixed set of values (a kind, an outcome, a status).
    func choice<T: RawRepresentable & CaseIterable>(_ index: Int, _ table: StoredTable) throws -> T where T.RawValue == String {
        guard let value: T = try optionalChoice(index, table) else { throw undecodable(index, table, expected: "set (it is empty)") }
        return value
    }

    func optionalChoice<T: RawRepresentable & CaseIterable>(_ index: Int, _ table: StoredTable) throws -> T? where T.RawValue == String {
        let stored: DatabaseValue = self[index]
        let text: String
        switch stored.storage {
        case .null: return nil
        case .string(let string): text = string
        default: throw undecodable(index, table, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let value = T(rawValue: text) else {
            throw undecodable(index, table, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    private func undecodable(_ index: Int, _ table: StoredTable, expected: String) -> RegisterError {
        let column = index < count ? Array(columnNames)[index] : "column \(index + 1)"
        return RegisterError.undecodable(table: table.name, row: SQLiteCells.text(self[table.idColumn]), column: column, value: SQLiteCells.text(self[index]), expected: expected)
    }
}

/// See `SQLiteWriter.lastUpsert`; used by one write transaction on its own thread only.
private final class LastUpsert {
    var table: RegisterTable?
    var columns: [Int] = []
    var statement: Statement?
}

extension Statement {
    /// Runs the statement once with `cells` bound to its parameters in order (NULL for an empty
    /// cell), straight through SQLite's C API. GRDB's arguments box every value and map it
    /// through a key path first, which cost an import more time than SQLite's own work.
    func execute(binding cells: [CellValue?]) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        for (offset, cell) in cells.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 = switch cell {
            case nil: sqlite3_bind_null(statement, index)
            case .text(let text)?: Self.bind(text, statement, index)
            case .integer(let n)?: sqlite3_bind_int64(statement, index, Int64(n))
            case .real(let d)?: sqlite3_bind_double(statement, index, d)
            case .date(let date)?: Self.bind(date.description, statement, index)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        var code = sqlite3_step(statement)
        while code == SQLITE_ROW { code = sqlite3_step(statement) }
        guard code == SQLITE_DONE else { throw failure(code) }
        sqlite3_reset(statement)
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement)))
        sqlite3_reset(sqliteStatement)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }

    /// SQLite copies the text (SQLITE_TRANSIENT), so the buffer need only live for the call.
    private static func bind(_ text: String, _ statement: SQLiteStatement, _ index: Int32) -> Int32 {
        guard !text.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transient) }
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), transient) }
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
