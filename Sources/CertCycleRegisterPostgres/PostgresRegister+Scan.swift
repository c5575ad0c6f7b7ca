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
        /// per-message cost of postgres-nio outweighs that of a small row. Each table's columns
        /// and their meaning come from `RecordMapping`.
        func grouped<Record>(_ table: RegisterTable, _ map: @escaping (inout RecordReader<PostgresCells>) throws -> Record) -> GroupCursor<Record> {
            let conditions = [certNo == nil ? nil : "cert_no = $1", certNo == nil && table == .applications ? "cert_no IS NOT NULL" : nil].compactMap { $0 }
            return GroupCursor(cursor("scan_\(table.rawValue)", """
                SELECT ROW(cert_no, array_agg(ROW(\(RecordMapping.selectList(table)))))
                FROM (SELECT * FROM \(table.rawValue)\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY cert_no, \(table.idColumn)) t
                GROUP BY cert_no ORDER BY cert_no
                """)) { cells in
                var r = RecordReader(table, PostgresCells(cells))
                defer { cells = r.cells.reader }
                return try map(&r)
            }
        }
        // Cursors keep PostgreSQL's default preference for plans that deliver their first rows at
        // once: index scans in (cert_no, id) order, organisations joined by their key, so rows
        // stream from the first FETCH on and nothing is sorted first.
        let certificates = cursor("scan_certificates", """
            SELECT ROW(\(RecordMapping.selectList(.certificates, alias: "c")), \(RecordMapping.selectList(.organizations, alias: "o")))
            FROM certificates c LEFT JOIN organizations o ON o.org_id = c.org_id\(certNo == nil ? "" : " WHERE c.cert_no = $1")
            ORDER BY c.cert_no
            """)
        let audits = grouped(.audits, RecordMapping.audit)
        let ncs = grouped(.nonconformities, RecordMapping.nonconformity)
        let suspensions = grouped(.suspensions, RecordMapping.suspension)
        let withdrawals = grouped(.withdrawals, RecordMapping.withdrawal)
        let misuse = grouped(.misuse, RecordMapping.misuseCase)
        let applications = grouped(.applications, RecordMapping.application)

        while let row = try certificates.next() {
            var r = RecordReader(.certificates, PostgresCells(CellReader(record: row)))
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
/// its records in id order, each with all its columns), mapped to records as they are read; hands over the records of one
/// certificate at a time (a merge join over sorted tables).
final class GroupCursor<Record: Identified> {
    let cursor: ChunkedCursor
    private let map: (inout CellReader) throws -> Record
    /// The first group read that belongs to a later certificate.
    private var pending: (key: String, records: [Record])?
    private var exhausted = false

    init(_ cursor: ChunkedCursor, _ map: @escaping (inout CellReader) throws -> Record) {
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
            records.append(try map(&cells))
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
