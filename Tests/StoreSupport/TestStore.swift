public import CertCycleRegister
public import CertCycleRegisterPostgres
public import CertCycleTestSupport
import Foundation

/// The register stores a shared test runs against: `@Test(arguments: StoreKind.all)`; the
/// runner's and the publisher's other tests use the in-memory store.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case memory
    case sqlite
    case postgres

    /// Both real stores; only SQLite when a developer sets `CERTCYCLE_SKIP_POSTGRES=1` explicitly.
    /// Without that, a PostgreSQL case with no server configured fails, saying how to start one.
    public static var all: [StoreKind] {
        TestPostgres.skipped ? [.sqlite] : [.sqlite, .postgres]
    }

    public var description: String { rawValue }
}

/// The test PostgreSQL server, from the environment `Scripts/test-postgres.sh start` prints.
public enum TestPostgres {
    public static let urlVariable = "CERTCYCLE_TEST_POSTGRES_URL"

    public static var skipped: Bool { ProcessInfo.processInfo.environment["CERTCYCLE_SKIP_POSTGRES"] == "1" }

    /// The server's URL (its database is only used to create and drop the tests' own).
    public static func serverURL() throws -> PostgresURL {
        guard let text = ProcessInfo.processInfo.environment[urlVariable], !text.isEmpty else {
            throw NotConfigured()
        }
        return try PostgresURL(parsing: text)
    }

    /// The password file the server's user needs (`CERTCYCLE_DB_PASSWORD_FILE`).
    public static var passwordFile: String? {
        ProcessInfo.processInfo.environment[PostgresPassword.fileVariable]
    }

    /// The CA certificate of the test server (`CERTCYCLE_TEST_POSTGRES_CA`), for verify-full.
    public static var certificateAuthority: String? {
        ProcessInfo.processInfo.environment["CERTCYCLE_TEST_POSTGRES_CA"]
    }

    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            """
            \(urlVariable) is not set, so the PostgreSQL cases cannot run: start the test server with \
            eval "$(Scripts/test-postgres.sh start)" (it exports \(urlVariable) and \(PostgresPassword.fileVariable)), \
            or set CERTCYCLE_SKIP_POSTGRES=1 to run the SQLite cases only
            """
        }
    }

    /// A new, empty database on the test server; its URL.
    public static func createDatabase() throws -> PostgresURL {
        let server = try serverURL()
        let name = "cct_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        return server.with(database: name)
    }

    /// Drops a database made by `createDatabase`. WITH (FORCE) ends connections a test left
    /// open, but fails when an autovacuum worker is busy in the database (the test user may not
    /// end a server process); a plain DROP then cancels the worker. A few tries, then the
    /// database is left behind.
    public static func dropDatabase(_ url: PostgresURL) {
        guard let server = try? serverURL(), url.database != server.database else { return }
        for attempt in 0..<10 {
            if (try? psql(server, "DROP DATABASE IF EXISTS \(url.database)\(attempt % 2 == 0 ? " WITH (FORCE)" : "")")) != nil { return }
            usleep(200_000)
        }
    }

    /// Runs SQL with the `psql` tool, as the test server's user: how someone with the password
    /// would change the database behind certcycle's back.
    @discardableResult
    public static func psql(_ url: PostgresURL, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var target = url
        if target.sslMode == .prefer { target.sslMode = .disable }
        process.arguments = ["psql", target.string, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        var environment = ProcessInfo.processInfo.environment
        if let file = passwordFile, let password = try? String(contentsOfFile: file, encoding: .utf8) {
            environment["PGPASSWORD"] = password.trimmingCharacters(in: .newlines)
        }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PsqlFailed(message: "psql failed (\(process.terminationStatus)) running \(sql): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    public struct PsqlFailed: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}

/// A fresh, empty register of one kind: in memory, an SQLite file in `folder`, or a new
/// database on the test PostgreSQL server (dropped by `cleanUp`).
public final class TestStore: @unchecked Sendable {
    // @unchecked: set once in init; `register` is itself Sendable.
    public let kind: StoreKind
    public let register: any Register
    /// What `--db` takes to reach the same register from the CLI.
    public let url: String
    public let postgresURL: PostgresURL?
    public let sqlitePath: String?

    public init(_ kind: StoreKind, in folder: TemporaryFolder, name: String = "register") throws {
        self.kind = kind
        switch kind {
        case .memory:
            sqlitePath = nil
            postgresURL = nil
            url = "memory:"
            register = MemoryRegister()
        case .sqlite:
            let path = folder.path(name + ".sqlite")
            sqlitePath = path
            postgresURL = nil
            url = "sqlite:" + path
            register = try SQLiteRegister(path: path)
        case .postgres:
            let database = try TestPostgres.createDatabase()
            sqlitePath = nil
            postgresURL = database
            url = database.string
            do {
                register = try PostgresRegister(url: database)
            } catch {
                TestPostgres.dropDatabase(database)
                throw error
            }
        }
    }

    /// Another handle on the same register (another connection, for PostgreSQL; the same
    /// object in memory).
    public func reopen() throws -> any Register {
        switch kind {
        case .memory: register
        case .sqlite: try SQLiteRegister(path: sqlitePath!)
        case .postgres: try PostgresRegister(url: postgresURL!)
        }
    }

    /// Changes the database behind the register's back with the store's own command-line tool
    /// (`sqlite3` or `psql`), as someone tampering would.
    public func tamper(_ sql: String) throws {
        switch kind {
        case .memory:
            throw TestPostgres.PsqlFailed(message: "the in-memory store has no tool to change it behind certcycle's back: use a real store")
        case .sqlite:
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [sqlitePath!, sql]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestPostgres.PsqlFailed(message: "sqlite3 failed (\(process.terminationStatus)) running \(sql)")
            }
        case .postgres:
            try TestPostgres.psql(postgresURL!, sql)
        }
    }

    /// Drops the PostgreSQL database (the SQLite file goes with its folder).
    public func cleanUp() {
        if let postgresURL {
            (register as? PostgresRegister)?.close()
            TestPostgres.dropDatabase(postgresURL)
        }
    }
}
