import CertCycleCore
import CertCycleRegister
@testable import CertCycleRegisterPostgres
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// Reaching the server: the password's places, TLS, and what the CLI says (and never says) when
/// it cannot.
@Suite("connecting to PostgreSQL", .serialized, needsPostgres)
struct PostgresConnectionTests {
    /// The test server's register URL with another database or settings.
    func url(database: String? = nil, _ change: (inout PostgresURL) -> Void = { _ in }) throws -> PostgresURL {
        var url = try TestPostgres.serverURL()
        if let database { url.database = database }
        change(&url)
        return url
    }

    /// Whether the register's connection is encrypted, as the server sees it.
    func usesTLS(_ register: PostgresRegister) throws -> Bool {
        try register.withSession { session in
            let rows = try session.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows
            var r = CellReader(rows[0])
            return r.bool()
        }
    }

    @Test("an unreachable server: exit 69, one line saying what to check, no password, nothing written")
    func unreachable() throws {
        let tmp = try TemporaryFolder("pg-unreachable")
        defer { tmp.cleanUp() }
        let password = tmp.path("pw")
        try "do-not-print-me\n".write(toFile: password, atomically: true, encoding: .utf8)
        chmod(password, 0o600)
        for command in [["scan"], ["import", "nowhere"], ["run", "--as-of", "2026-06-30", "--notices", "n"], ["ledger", "verify"]] {
            let result = try runCertcycle(command + ["--db", "postgres://certcycle@127.0.0.1:1/register?sslmode=disable"], in: tmp.path,
                                          environment: ["CERTCYCLE_DB_PASSWORD_FILE": password])
            #expect(result.status == 69, "\(command): \(result.stderr)")
            #expect(result.stderr == "cannot reach PostgreSQL at 127.0.0.1:1 (connection refused): check that the server runs and that host and port in the register URL are right; the register was not changed\n")
            #expect(!result.stderr.contains("do-not-print-me") && !result.stdout.contains("do-not-print-me"))
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.path("n")))
    }

    @Test("a password in the URL is refused with exit 78 and a line saying where it goes; it is never echoed", arguments: [
        "postgres://certcycle:hunter2-secret@127.0.0.1:5432/register",
        "postgresql://certcycle@127.0.0.1:5432/register?password=hunter2-secret",
    ])
    func passwordInURL(url: String) throws {
        let tmp = try TemporaryFolder("pg-url")
        defer { tmp.cleanUp() }
        for arguments in [["scan", "--db", url], ["migrate-store", "sqlite:x.sqlite", url]] {
            let result = try runCertcycle(arguments, in: tmp.path)
            #expect(result.status == 78)
            #expect(result.stderr.hasPrefix("configuration error: the register URL must not contain a password: "))
            #expect(result.stderr.contains("CERTCYCLE_DB_PASSWORD_FILE") && result.stderr.contains("LoadCredential=db_password"))
            #expect(result.stderr.filter { $0 == "\n" }.count == 1)
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
        }
        let fromEnvironment = try runCertcycle(["scan"], in: tmp.path, environment: ["CERTCYCLE_DB": url])
        #expect(fromEnvironment.status == 78)
        #expect(!fromEnvironment.stderr.contains("hunter2"))
    }

    @Test("a wrong or missing password, or an unknown database, is a configuration error (78) that says what to fix")
    func refusedLogins() throws {
        let tmp = try TemporaryFolder("pg-login")
        defer { tmp.cleanUp() }
        let wrong = tmp.path("wrong")
        try "not-the-password\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        chmod(wrong, 0o600)
        let server = try url()
        let cases: [([String: String], String, String)] = [
            (["CERTCYCLE_DB_PASSWORD_FILE": wrong], server.string, "refused user \(server.user) (wrong password): check the password in \(wrong)"),
            (["CERTCYCLE_DB_PASSWORD_FILE": "", "CREDENTIALS_DIRECTORY": ""], server.string, "asks user \(server.user) for a password and none is set"),
            ([:], try url(database: "no_such_register").string, "has no database no_such_register"),
        ]
        for (environment, db, message) in cases {
            let result = try runCertcycle(["scan", "--db", db], in: tmp.path, environment: environment)
            #expect(result.status == 78, "\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.filter { $0 == "\n" }.count == 1)
            #expect(!result.stderr.contains("not-the-password"))
        }
    }

    @Test("the password as the systemd credential db_password ($CREDENTIALS_DIRECTORY) works")
    func systemdCredential() throws {
        let tmp = try TemporaryFolder("pg-credential")
        defer { tmp.cleanUp() }
        let store = try TestStore(.postgres, in: tmp)
        defer { store.cleanUp() }
        let credentials = tmp.path("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        let password = try String(contentsOfFile: try #require(TestPostgres.passwordFile), encoding: .utf8)
        try password.write(toFile: credentials + "/db_password", atomically: true, encoding: .utf8)
        chmod(credentials + "/db_password", 0o400)
        let result = try runCertcycle(["status", "--db", store.url], in: tmp.path,
                                      environment: ["CERTCYCLE_DB_PASSWORD_FILE": "", "CREDENTIALS_DIRECTORY": credentials])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("TLS as sslmode asks: none with disable, encrypted with require, verified with verify-full and the server's CA")
    func tls() throws {
        let database = try TestPostgres.createDatabase()
        defer { TestPostgres.dropDatabase(database) }
        var plain = database
        plain.sslMode = .disable
        #expect(try usesTLS(try PostgresRegister(url: plain)) == false)
        var required = database
        required.sslMode = .require
        #expect(try usesTLS(try PostgresRegister(url: required)) == true)
        var preferred = database
        preferred.sslMode = .prefer
        #expect(try usesTLS(try PostgresRegister(url: preferred)) == true)
        var verified = database
        verified.sslMode = .verifyFull
        verified.sslRootCert = TestPostgres.certificateAuthority
        #expect(try usesTLS(try PostgresRegister(url: verified)) == true)
        verified.host = "localhost"
        #expect(try usesTLS(try PostgresRegister(url: verified)) == true)

        // Without the CA, the self-signed certificate is not trusted: refused, no fallback.
        var untrusted = database
        untrusted.sslMode = .verifyFull
        let error = #expect(throws: PostgresOpenError.self) { try PostgresRegister(url: untrusted) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("certificate is not trusted") == true, "\(error?.message ?? "")")
    }

    @Test("a failed write leaves nothing behind: the transaction is rolled back whole")
    func rollback() throws {
        let tmp = try TemporaryFolder("pg-rollback")
        defer { tmp.cleanUp() }
        let store = try TestStore(.postgres, in: tmp)
        defer { store.cleanUp() }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try store.register.write { writer in
                for n in 0..<2_500 {
                    try writer.upsert(.organizations, columns: [0, 1, 4], values: [.text("ORG-\(n)"), .text("公司\(n)"), nil, nil, .integer(n), nil])
                }
                throw Stop()
            }
        }
        #expect(try store.register.count(.organizations) == 0)
        // A failing statement in the middle of a batch is reported, and nothing is kept either.
        let error = #expect(throws: RegisterError.self) {
            try store.register.write { writer in
                try writer.upsert(.organizations, columns: [0, 1, 4], values: [.text("ORG-1"), .text("公司"), nil, nil, .integer(1), nil])
                try writer.append(LedgerEntry(seq: 1, asOf: CivilDate(dayNumber: 20_000), kind: .run, key: "k", payload: "{}", previousHash: "", hash: "h"))
                try writer.append(LedgerEntry(seq: 3, asOf: CivilDate(dayNumber: 20_000), kind: .run, key: "k2", payload: "{}", previousHash: "", hash: "h"))
            }
        }
        #expect(error?.message == "ledger entry 3 does not follow the last one (1); was the ledger written by another run?")
        #expect(try store.register.count(.organizations) == 0)
        #expect(try store.register.lastLedgerEntry(kind: nil) == nil)
    }
}
