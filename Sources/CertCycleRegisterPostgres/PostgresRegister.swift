public import CertCycleCore
public import CertCycleRegister
public import Foundation
public import Logging
import PostgresNIO

/// The shared register: the `Register` protocol on PostgreSQL, for several hosts.
///
/// It behaves exactly as `SQLiteRegister` does — same tables and columns, same order of every
/// read (text is compared byte by byte, `COLLATE "C"`), same errors — so every output of
/// certcycle is byte for byte the same on either store. What PostgreSQL adds:
/// - the run lock is an advisory lock held by a connection of its own, so it spans hosts and is
///   released by the server when the holder dies (`acquireRunLock`);
/// - publishers on several hosts claim deliveries with `FOR UPDATE SKIP LOCKED`;
/// - the nightly scan reads through server-side cursors, a chunk at a time, so memory stays
///   flat whatever the register's size.
///
/// One connection serves every call, one call at a time (calls from several threads wait for
/// each other); the run lock uses a second one. Both run on an event loop group of one thread
/// that belongs to this register and ends with it.
public final class PostgresRegister: Register, @unchecked Sendable {
    // @unchecked: the session and `transactionDepth` are only used under `lock`; everything
    // else is immutable.
    public let url: PostgresURL
    let group: MultiThreadedEventLoopGroup
    let session: PostgresSession
    let password: (password: String, source: String)?
    let logger: Logger
    /// Recursive, so that a callback of a scan may read the register again on the same thread
    /// (its statements then run inside the scan's transaction).
    private let lock = NSRecursiveLock()
    private var transactionDepth = 0

    /// Rows fetched per round trip from each cursor of a scan.
    static let chunkSize = 1_000

    /// Opens the register at `url` (`postgres://USER@HOST:PORT/DB?sslmode=…`), with the password
    /// from `environment` (see ``PostgresPassword``), and brings its schema up to date.
    /// Throws ``PostgresOpenError`` when the URL, the password or the server is wrong.
    public convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger? = nil) throws {
        try self.init(url: try PostgresURL(parsing: url), environment: environment, logger: logger)
    }

    public init(url: PostgresURL, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil) throws {
        self.url = url
        // postgres-nio logs through this logger only; by default nothing, so that tests and the
        // CLI's own log handler are never bypassed.
        self.logger = logger ?? Logger(label: "certcycle.postgres") { _ in SwiftLogNoOpLogHandler() }
        password = try PostgresPassword.resolve(environment: environment)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            session = try PostgresSession.connect(url: url, password: password, group: group, logger: self.logger)
        } catch {
            group.shutdownGracefully { _ in }
            throw error
        }
        do {
            try PostgresSchema.migrate(session)
        } catch {
            session.close()
            group.shutdownGracefully { _ in }
            throw error
        }
    }

    deinit {
        session.close()
        // Not waited for: deinit may run anywhere; the group's thread ends once the connection
        // is closed.
        group.shutdownGracefully { _ in }
    }

    /// Closes the connection now (it is also closed when the register is released).
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        session.close()
    }

    /// A second connection to the same database, for the run lock.
    func openSession() throws -> PostgresSession {
        try PostgresSession.connect(url: url, password: password, group: group, logger: logger)
    }

    // MARK: Using the connection

    /// Runs `body` with the connection, one call at a time.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(session)
    }

    /// Runs `body` in a transaction (`begin` opens it); inside another one (a call made from a
    /// callback of a scan or a write), it simply runs as part of that one.
    func transaction<T>(_ begin: String, doing what: String, _ body: (PostgresSession) throws -> T) throws -> T {
        try withSession { session in
            if transactionDepth > 0 { return try body(session) }
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try session.transaction(begin, doing: what) { try body(session) }
        }
    }

    /// A consistent snapshot for reads that take several statements.
    func reading<T>(_ what: String, _ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", doing: what, body)
    }

    // MARK: Writing

    public func checkWritable() throws {
        // READ WRITE fails on a standby or a read-only default; FOR UPDATE needs the UPDATE right.
        try transaction("BEGIN READ WRITE", doing: "checking that the register can be written") { session in
            _ = try session.query("SELECT 1 FROM ledger LIMIT 0 FOR UPDATE", doing: "checking that the register can be written")
        }
    }

    public func write<T>(_ body: (any RegisterWriter) throws -> T) throws -> T {
        try transaction("BEGIN", doing: "writing to the register") { session in
            let writer = PostgresWriter(session: session)
            do {
                let result = try body(writer)
                try writer.finish()
                return result
            } catch {
                writer.abandon()
                throw error
            }
        }
    }

    // MARK: Reading

    public func count(_ table: RegisterTable) throws -> Int {
        try withSession { session in
            let result = try session.query("SELECT count(*) FROM \(table.rawValue)", doing: "counting \(table.rawValue)")
            guard let row = result.rows.first else { return 0 }
            var cells = CellReader(row)
            return cells.int() ?? 0
        }
    }

    public func forEachRow(of table: RegisterTable, _ body: ([CellValue?]) throws -> Void) throws {
        let columns = table.columns
        try reading("reading \(table.rawValue)") { session in
            let cursor = ChunkedCursor(session: session, name: "rows_\(table.rawValue)",
                                       sql: "SELECT ROW(\(columns.map(\.name).joined(separator: ", "))) FROM \(table.rawValue) ORDER BY \(table.idColumn)",
                                       doing: "reading \(table.rawValue)")
            while let row = try cursor.next() {
                var cells = CellReader(record: row)
                try body(columns.map { cells.value(kind: $0.kind) })
            }
            try cursor.close()
        }
    }

    public func appeals() throws -> [Appeal] {
        try withSession { session in
            try session.query("SELECT \(RecordMapping.selectList(.appeals)) FROM appeals ORDER BY appeal_id", doing: "reading appeals")
                .rows.map { row in
                    var r = RecordReader(.appeals, PostgresCells(CellReader(row)))
                    return try RecordMapping.appeal(&r)
                }
        }
    }

    public func notAcceptedApplications() throws -> [Application] {
        try withSession { session in
            try session.query("SELECT \(RecordMapping.selectList(.applications)) FROM applications WHERE outcome = 'not_accepted' ORDER BY application_id",
                              doing: "reading applications").rows.map { row in
                var r = RecordReader(.applications, PostgresCells(CellReader(row)))
                return try RecordMapping.application(&r)
            }
        }
    }

    public func organizations(_ ids: Set<String>) throws -> [String: Organization] {
        guard !ids.isEmpty else { return [:] }
        return try withSession { session in
            var result: [String: Organization] = [:]
            var binds = PostgresBindings()
            binds.append(ids.sorted())
            for row in try session.query("SELECT \(RecordMapping.selectList(.organizations)) FROM organizations WHERE org_id = ANY($1)", binds,
                                         doing: "reading organizations").rows {
                var r = RecordReader(.organizations, PostgresCells(CellReader(row)))
                let organization = RecordMapping.organization(&r)
                result[organization.id] = organization
            }
            return result
        }
    }
}

extension CellReader {
    /// A register cell as the SQLite store gives it for a column of this kind.
    mutating func value(kind: RegisterColumn.Kind) -> CellValue? {
        switch kind {
        case .count, .reason: int().map(CellValue.integer)
        case .score, .manDays: double().map(CellValue.real)
        case .date: date().map(CellValue.date)
        default: text().map(CellValue.text)
        }
    }
}

extension PostgresBindings {
    /// Binds a register cell with the type of its column, whatever the value's own type.
    mutating func append(_ value: CellValue?, kind: RegisterColumn.Kind) {
        guard let value else { return appendNull() }
        switch kind {
        case .count, .reason:
            switch value {
            case .integer(let i): append(i)
            case .real(let d): append(Int(d))
            case .text(let s): if let i = Int(s) { append(i) } else { append(s) }
            case .date(let d): append(d.description)
            }
        case .score, .manDays:
            switch value {
            case .integer(let i): append(Double(i))
            case .real(let d): append(d)
            case .text(let s): if let d = Double(s) { append(d) } else { append(s) }
            case .date(let d): append(d.description)
            }
        case .date:
            switch value {
            case .date(let d): append(PostgresDay(date: d))
            case .text(let s): if let d = CivilDate(parsing: s) { append(PostgresDay(date: d)) } else { append(s) }
            default: append(value.csvText)
            }
        default:
            append(value.csvText)
        }
    }
}
