import CertCycleCore
import CertCycleRegister
import PostgresNIO

/// Writes inside one `PostgresRegister.write` transaction.
///
/// Upserts are gathered into multi-row `INSERT … ON CONFLICT` statements and sent without
/// waiting (a few at a time in flight), so an import of a million rows does not wait a round
/// trip per row; the server runs the statements in the order sent, so a read (`exists`) sees
/// every write before it. The first failure is the one reported; the transaction is then rolled
/// back by `PostgresRegister.write`.
final class PostgresWriter: RegisterWriter {
    private let session: PostgresSession

    /// Rows gathered for one statement: same table, same columns.
    private struct Batch {
        var table: RegisterTable
        var columns: [Int]
        var binds = PostgresBindings()
        var rows = 0
        var ids: Set<String> = []
    }

    private var batch: Batch?
    /// Statements sent and not yet checked, oldest first, with what they were doing.
    private var inFlight: [(future: EventLoopFuture<PostgresQueryResult>, what: String, ledgerSeq: Int?)] = []
    private var firstError: (any Error)?
    /// The ledger's last seq, once read in this transaction.
    private var lastSeq: Int?

    static let maxRowsPerStatement = 1_000
    static let maxBindsPerStatement = 30_000
    static let maxInFlight = 8

    init(session: PostgresSession) {
        self.session = session
    }

    func exists(_ table: RegisterTable, id: String) throws -> Bool {
        if let batch, batch.table == table, batch.ids.contains(id) { return true }
        try sendBatch()
        var binds = PostgresBindings()
        binds.append(id)
        let future = session.send("SELECT 1 FROM \(table.rawValue) WHERE \(table.idColumn) = $1", binds)
        let result = try waitAll(then: future, doing: "looking up \(table.idColumn) \(id)")
        return !result.rows.isEmpty
    }

    func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry? {
        try sendBatch()
        let (sql, binds) = PostgresRegister.lastLedgerEntryQuery(kind: kind)
        return try waitAll(then: session.send(sql, binds), doing: "reading the ledger").rows.first.map { try PostgresRegister.ledgerEntry($0) }
    }

    func endpointStates() throws -> [String: EndpointState] {
        try sendBatch()
        return PostgresRegister.endpointStates(try waitAll(then: session.send(PostgresRegister.endpointStatesSQL), doing: "reading endpoints"))
    }

    func upsert(_ table: RegisterTable, columns: [Int], values: [CellValue?]) throws {
        let id = values[0]?.csvText ?? ""
        if let current = batch, current.table != table || current.columns != columns || current.ids.contains(id) {
            try sendBatch()
        }
        if batch == nil { batch = Batch(table: table, columns: columns) }
        let kinds = table.columns
        for index in columns {
            batch!.binds.append(values[index], kind: kinds[index].kind)
        }
        batch!.rows += 1
        batch!.ids.insert(id)
        if batch!.rows >= Self.maxRowsPerStatement || batch!.binds.count + columns.count > Self.maxBindsPerStatement {
            try sendBatch()
        }
    }

    /// Sends the gathered rows as one `INSERT … ON CONFLICT (id) DO UPDATE` of the given columns.
    private func sendBatch() throws {
        guard let current = batch else { return }
        batch = nil
        let table = current.table
        let names = current.columns.map { table.columns[$0].name }
        var placeholders: [String] = []
        placeholders.reserveCapacity(current.rows)
        var n = 0
        for _ in 0..<current.rows {
            placeholders.append("(" + names.map { _ in n += 1; return "$\(n)" }.joined(separator: ", ") + ")")
        }
        let updates = names.dropFirst().map { "\($0) = EXCLUDED.\($0)" }
        let sql = "INSERT INTO \(table.rawValue) (\(names.joined(separator: ", "))) VALUES \(placeholders.joined(separator: ", "))"
            + " ON CONFLICT (\(table.idColumn)) DO " + (updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
        try track(session.send(sql, current.binds), doing: "writing \(table.rawValue)")
    }

    func append(_ entry: LedgerEntry) throws {
        try sendBatch()
        let last: Int
        if let lastSeq {
            last = lastSeq
        } else {
            let result = try waitAll(then: session.send("SELECT coalesce(max(seq), 0) FROM ledger"), doing: "reading the ledger")
            var cells = CellReader(result.rows[0])
            last = cells.int() ?? 0
        }
        guard entry.seq == last + 1 else {
            throw RegisterError("ledger entry \(entry.seq) does not follow the last one (\(last)); was the ledger written by another run?")
        }
        var binds = PostgresBindings()
        binds.append(entry.seq)
        binds.append(PostgresDay(date: entry.asOf))
        binds.append(entry.kind.rawValue)
        binds.append(entry.key)
        binds.append(entry.payload)
        binds.append(entry.previousHash)
        binds.append(entry.hash)
        try track(session.send("INSERT INTO ledger (seq, as_of, kind, key, payload, previous_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)", binds),
                  doing: "appending to the ledger", ledgerSeq: entry.seq)
        lastSeq = entry.seq
    }

    func enqueue(_ event: OutboxEvent, endpoints: [String]) throws {
        try sendBatch()
        var binds = PostgresBindings()
        binds.append(event.id)
        binds.append(event.certificate)
        binds.append(event.type)
        binds.append(PostgresDay(date: event.effectiveOn))
        binds.append(event.body)
        binds.append(event.createdAt)
        try track(session.send("""
            INSERT INTO events (event_id, cert_no, type, effective_on, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (event_id) DO NOTHING
            """, binds), doing: "adding an event to the outbox")
        guard !endpoints.isEmpty else { return }
        // In the endpoints' order, so that seq orders them as the SQLite store does.
        let rows = endpoints.indices.map { "($\($0 + 4), $1, $2, 'pending', 0, $3)" }
        var all = PostgresBindings()
        all.append(event.id)
        all.append(event.certificate)
        all.append(event.createdAt)
        for endpoint in endpoints { all.append(endpoint) }
        try track(session.send("""
            INSERT INTO deliveries (endpoint, event_id, cert_no, status, attempts, next_attempt_at) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (endpoint, event_id) DO NOTHING
            """, all), doing: "adding deliveries to the outbox")
    }

    func setEndpointState(_ state: EndpointState) throws {
        try sendBatch()
        try track(session.send(PostgresRegister.saveEndpointStateSQL, PostgresRegister.endpointStateBinds(state)),
                  doing: "saving the state of endpoint \(state.name)")
    }

    func removeLedgerEntries(fromSeq seq: Int) throws {
        try sendBatch()
        var binds = PostgresBindings()
        binds.append(seq)
        _ = try waitAll(then: session.send("DELETE FROM ledger WHERE seq >= $1", binds), doing: "removing ledger entries")
        lastSeq = nil
    }

    func removeUndeliveredEvents(effectiveAfter date: CivilDate) throws -> (removed: Int, delivered: Int) {
        try sendBatch()
        func run(_ sql: String) throws -> PostgresQueryResult {
            var binds = PostgresBindings()
            binds.append(PostgresDay(date: date))
            return try waitAll(then: session.send(sql, binds), doing: "removing undelivered events")
        }
        _ = try run("""
            DELETE FROM delivery_attempts a USING deliveries d, events e
            WHERE d.endpoint = a.endpoint AND d.event_id = a.event_id AND e.event_id = d.event_id
              AND e.effective_on > $1 AND d.status <> 'delivered'
            """)
        _ = try run("""
            DELETE FROM deliveries WHERE status <> 'delivered' AND event_id IN (SELECT event_id FROM events WHERE effective_on > $1)
            """)
        let removed = try run("""
            WITH gone AS (
                DELETE FROM events WHERE effective_on > $1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.event_id)
                RETURNING 1
            ) SELECT count(*) FROM gone
            """)
        let kept = try run("SELECT count(*) FROM events WHERE effective_on > $1")
        var removedCells = CellReader(removed.rows[0])
        var keptCells = CellReader(kept.rows[0])
        return (removedCells.int() ?? 0, keptCells.int() ?? 0)
    }

    // MARK: Statements in flight

    private func track(_ future: EventLoopFuture<PostgresQueryResult>, doing what: String, ledgerSeq: Int? = nil) throws {
        inFlight.append((future, what, ledgerSeq))
        if inFlight.count > Self.maxInFlight {
            try check(inFlight.removeFirst())
        }
    }

    /// Waits for one statement; remembers and throws its failure.
    private func check(_ statement: (future: EventLoopFuture<PostgresQueryResult>, what: String, ledgerSeq: Int?)) throws {
        if let firstError { throw firstError }
        do {
            _ = try statement.future.wait()
        } catch let error as PSQLError where error.sqlState == SQLState.uniqueViolation && statement.ledgerSeq != nil {
            firstError = RegisterError("ledger entry \(statement.ledgerSeq!) is already taken; was the ledger written by another run?")
            throw firstError!
        } catch {
            firstError = PostgresFailure.registerError(error, url: session.url, doing: statement.what)
            throw firstError!
        }
    }

    /// Waits for every statement in flight, then for `future` (sent after them).
    private func waitAll(then future: EventLoopFuture<PostgresQueryResult>, doing what: String) throws -> PostgresQueryResult {
        do {
            while !inFlight.isEmpty { try check(inFlight.removeFirst()) }
        } catch {
            _ = try? future.wait()
            throw error
        }
        return try session.wait(future, doing: what)
    }

    /// Sends what is gathered and waits for everything: the transaction may commit.
    func finish() throws {
        try sendBatch()
        while !inFlight.isEmpty { try check(inFlight.removeFirst()) }
    }

    /// Waits for whatever is still in flight, ignoring failures: the transaction is rolled back.
    func abandon() {
        batch = nil
        for statement in inFlight { _ = try? statement.future.wait() }
        inFlight = []
    }
}
