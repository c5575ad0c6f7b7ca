public import CertCycleCore
import CertCycleRegister
import PostgresNIO

extension PostgresRegister {
    public func certificateFile(_ certNo: String) throws -> CertificateFile? {
        var found: CertificateFile?
        try reading("reading certificate \(certNo)") { session in
            try Self.scan(session, where: certNo) { found = $0 }
        }
        return found
    }

    public func forEachCertificate(_ body: (CertificateFile) throws -> Void) throws {
        try reading("scanning the register") { session in
            try Self.scan(session, where: nil, body)
        }
    }

    /// The merge join of the SQLite store, on server-side cursors: certificates (with their
    /// organisation) and every table that belongs to them, each read in `cert_no` order by a
    /// cursor of its own in one snapshot, a chunk at a time, handing over one certificate's file
    /// at a time. Memory holds a few chunks per table, whatever the register's size. Each row
    /// comes as one `ROW(…)` value (see `CellReader`).
    static func scan(_ session: PostgresSession, where certNo: String?, _ body: (CertificateFile) throws -> Void) throws {
        var binds = PostgresBindings()
        if let certNo { binds.append(certNo) }
        func cursor(_ name: String, _ sql: String) -> ChunkedCursor {
            ChunkedCursor(session: session, name: name, sql: sql, binds: binds, doing: "scanning the register")
        }
        /// One row per certificate with its rows of `table`: `ROW(cert_no, ARRAY[ROW(columns…), …])`,
        /// grouped as they stream from the (cert_no, id) index. A certificate's rows arrive in
        /// one message instead of one each, which saves the client a quarter of its work: the
        /// per-message cost of postgres-nio outweighs that of a small row.
        func grouped<Record>(_ table: String, id: String, columns: String, where condition: String? = nil,
                             _ map: @escaping (String, inout CellReader) throws -> Record) -> GroupCursor<Record> {
            let conditions = [certNo == nil ? nil : "cert_no = $1", condition].compactMap { $0 }
            return GroupCursor(cursor("scan_\(table)", """
                SELECT ROW(cert_no, array_agg(ROW(\(columns))))
                FROM (SELECT * FROM \(table)\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY cert_no, \(id)) t
                GROUP BY cert_no ORDER BY cert_no
                """), map)
        }
        // Cursors keep PostgreSQL's default preference for plans that deliver their first rows at
        // once: index scans in (cert_no, id) order, organisations joined by their key, so rows
        // stream from the first FETCH on and nothing is sorted first.
        let certificates = cursor("scan_certificates", """
            SELECT ROW(c.cert_no, c.org_id, c.scope, c.standard, c.service_sites, c.valid_through,
                       o.org_id, o.name, o.address, o.credit_code, o.employees, o.contact_email)
            FROM certificates c LEFT JOIN organizations o ON o.org_id = c.org_id\(certNo == nil ? "" : " WHERE c.cert_no = $1")
            ORDER BY c.cert_no
            """)
        let audits = grouped("audits", id: "audit_id",
                             columns: "audit_id, kind, onsite_start, onsite_end, score, deductions, decision_date, decided_by, team, man_days, due_on, reason") {
            (certNo: String, r: inout CellReader) in
            let id = r.requiredText()
            return Audit(id: id, certNo: certNo, kind: try r.choice(table: "audits", row: id, column: "kind"), onsiteStart: r.date(),
                         onsiteEnd: r.requiredDate(), score: r.double(), deductions: r.int(), decisionDate: r.date(), decidedBy: r.text(),
                         team: splitList(r.text()), manDays: r.double(), dueOn: r.date(), reason: r.text())
        }
        let ncs = grouped("nonconformities", id: "nc_id", columns: "nc_id, audit_id, notified_on, due_on, closed_on") {
            (certNo: String, r: inout CellReader) in
            Nonconformity(id: r.requiredText(), certNo: certNo, auditId: r.text(), notifiedOn: r.requiredDate(), dueOn: r.date(), closedOn: r.date())
        }
        let suspensions = grouped("suspensions", id: "suspension_id",
                                  columns: "suspension_id, reason, cause_verified_on, start_on, lifted_on, reduced_scope") {
            (certNo: String, r: inout CellReader) in
            Suspension(id: r.requiredText(), certNo: certNo, reason: r.int() ?? 0, causeVerifiedOn: r.date(), startOn: r.requiredDate(),
                       liftedOn: r.date(), reducedScope: r.text())
        }
        let withdrawals = grouped("withdrawals", id: "withdrawal_id", columns: "withdrawal_id, reason, cause_verified_on, decided_on, recalled_on") {
            (certNo: String, r: inout CellReader) in
            Withdrawal(id: r.requiredText(), certNo: certNo, reason: r.int() ?? 0, causeVerifiedOn: r.date(), decidedOn: r.requiredDate(),
                       recalledOn: r.date())
        }
        let misuse = grouped("misuse", id: "case_id", columns: "case_id, requested_on, corrected_on") { (certNo: String, r: inout CellReader) in
            MisuseCase(id: r.requiredText(), certNo: certNo, requestedOn: r.requiredDate(), correctedOn: r.date())
        }
        let applications = grouped("applications", id: "application_id", columns: applicationColumns,
                                   where: certNo == nil ? "cert_no IS NOT NULL" : nil) { (_: String, r: inout CellReader) in
            try application(&r)
        }

        while let row = try certificates.next() {
            var r = CellReader(record: row)
            let cert = r.requiredText()
            let certificate = Certificate(certNo: cert, orgId: r.requiredText(), scope: r.requiredText(),
                                          standard: r.text() ?? Certificate.defaultStandard, serviceSites: splitList(r.text()),
                                          statedValidThrough: r.date())
            var organization: Organization?
            if let orgId = r.text() {
                organization = Organization(id: orgId, name: r.requiredText(), address: r.text(), creditCode: r.text(), employees: r.int() ?? 0,
                                            contactEmail: r.text())
            }
            let file = CertificateFile(
                certificate: certificate, organization: organization, audits: try audits.take(cert),
                nonconformities: try ncs.take(cert), suspensions: try suspensions.take(cert), withdrawals: try withdrawals.take(cert),
                applications: try applications.take(cert), misuseCases: try misuse.take(cert)
            )
            try body(file)
        }
        for open in [certificates, audits.cursor, ncs.cursor, suspensions.cursor, withdrawals.cursor, misuse.cursor, applications.cursor] {
            try open.close()
        }
    }
}

/// A server-side cursor read a chunk at a time. The next chunks are asked for ahead (`depth` of
/// them), so the server and the connection's event loop work on them while the caller works
/// through the current one.
final class ChunkedCursor {
    private let session: PostgresSession
    private let name: String
    private let what: String
    private let chunk: Int
    private var declared: EventLoopFuture<PostgresQueryResult>?
    /// Fetches asked for and not yet read, oldest first.
    private var pending: [EventLoopFuture<PostgresQueryResult>] = []
    private var rows: [PostgresRow] = []
    private var index = 0
    private var exhausted = false

    static let depth = 2

    /// Declares the cursor and asks for its first chunks, without waiting: cursors of one scan
    /// are all declared, and their first chunks all asked for, in one round trip.
    init(session: PostgresSession, name: String, sql: String, binds: PostgresBindings = PostgresBindings(), doing what: String,
         chunk: Int = PostgresRegister.chunkSize) {
        self.session = session
        self.name = name
        self.what = what
        self.chunk = chunk
        declared = session.send("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)", binds)
        for _ in 0..<Self.depth { pending.append(session.send("FETCH FORWARD \(chunk) FROM \(name)")) }
    }

    func next() throws -> PostgresRow? {
        if index == rows.count {
            if let declared {
                // Its error, if any, is the one to report (the fetches then only say the
                // transaction is aborted).
                self.declared = nil
                _ = try session.wait(declared, doing: what)
            }
            guard !exhausted, !pending.isEmpty else { return nil }
            rows = try session.wait(pending.removeFirst(), doing: what).rows
            index = 0
            if rows.count < chunk {
                exhausted = true
            } else {
                pending.append(session.send("FETCH FORWARD \(chunk) FROM \(name)"))
            }
            if rows.isEmpty { return nil }
        }
        defer { index += 1 }
        return rows[index]
    }

    /// Closes the cursor on the server (the transaction's end would too).
    func close() throws {
        for fetch in pending { _ = try? fetch.wait() }
        pending = []
        rows = []
        _ = try session.query("CLOSE \(name)", doing: what)
    }
}

/// One table's rows, grouped by certificate and sorted by it (one cursor row per certificate,
/// its records in id order), mapped to records as they are read; hands over the records of one
/// certificate at a time (a merge join over sorted tables).
final class GroupCursor<Record: Identified> {
    let cursor: ChunkedCursor
    private let map: (String, inout CellReader) throws -> Record
    /// The first group read that belongs to a later certificate.
    private var pending: (key: String, records: [Record])?
    private var exhausted = false

    init(_ cursor: ChunkedCursor, _ map: @escaping (String, inout CellReader) throws -> Record) {
        self.cursor = cursor
        self.map = map
    }

    /// The records at the front that belong to `certNo`.
    func take(_ certNo: String) throws -> [Record] {
        if pending == nil, !exhausted {
            if let row = try cursor.next() {
                pending = try group(row)
            } else {
                exhausted = true
            }
        }
        guard let next = pending, next.key == certNo else { return [] }
        pending = nil
        return next.records
    }

    private func group(_ row: PostgresRow) throws -> (key: String, records: [Record]) {
        var cells = CellReader(record: row)
        let key = cells.requiredText()
        let count = cells.beginArray()
        var records: [Record] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            let end = cells.beginElement()
            records.append(try map(key, &cells))
            cells.endElement(at: end)
        }
        // array_agg keeps the order of its sorted input; should a plan ever not, the records are
        // put in id order here, byte by byte as the SQLite store orders them.
        for index in records.indices.dropFirst() where !records[index - 1].id.utf8.lexicographicallyPrecedes(records[index].id.utf8) {
            records.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            break
        }
        return (key, records)
    }
}

/// A record with a string id (its order within a certificate).
protocol Identified {
    var id: String { get }
}

extension Audit: Identified {}
extension Nonconformity: Identified {}
extension Suspension: Identified {}
extension Withdrawal: Identified {}
extension MisuseCase: Identified {}
extension Application: Identified {}
