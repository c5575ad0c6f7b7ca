import CertCycleRegisterPostgres
import CertCycleTestSupport
import Foundation
import Testing

@Suite("the register URL and where the password comes from")
struct PostgresURLTests {
    @Test("postgres:// and postgresql:// URLs give user, host, port, database and sslmode", arguments: ["postgres", "postgresql"])
    func parses(scheme: String) throws {
        let url = try PostgresURL(parsing: "\(scheme)://certcycle@db.example.cn:6432/register?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=5")
        #expect(url.user == "certcycle")
        #expect(url.host == "db.example.cn")
        #expect(url.port == 6432)
        #expect(url.database == "register")
        #expect(url.sslMode == .verifyFull)
        #expect(url.sslRootCert == "/etc/ca.pem")
        #expect(url.connectTimeout == 5)
        #expect(url.display == "postgres://certcycle@db.example.cn:6432/register")
    }

    @Test("defaults: port 5432, sslmode=prefer; IPv6 hosts in brackets; percent-encoded names")
    func defaults() throws {
        let url = try PostgresURL(parsing: "postgres://cert%20cycle@[::1]/%E8%AF%81%E4%B9%A6")
        #expect(url.port == 5432)
        #expect(url.sslMode == .prefer)
        #expect(url.host == "::1")
        #expect(url.user == "cert cycle")
        #expect(url.database == "证书")
        #expect(try PostgresURL(parsing: url.string) == url)
    }

    @Test("a password in the URL is refused, and the message never repeats it", arguments: [
        "postgres://certcycle:hunter2@db/register",
        "postgres://certcycle:@db/register",
        "postgres://certcycle@db/register?password=hunter2",
        "postgres://certcycle@db/register?sslmode=require&password=hunter2",
    ])
    func passwordRefused(url: String) {
        let error = #expect(throws: PostgresOpenError.self) { try PostgresURL(parsing: url) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("must not contain a password") == true)
        #expect(error?.message.contains("CERTCYCLE_DB_PASSWORD_FILE") == true)
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test("a URL without user or database, a bad port, sslmode or parameter is a configuration error naming the part", arguments: [
        ("postgres://db/register", "names no user"),
        ("postgres://certcycle@db", "names no database"),
        ("postgres://certcycle@db:99999/register", "not a port number"),
        ("postgres://certcycle@db/register?sslmode=always", "sslmode=always is not known"),
        ("postgres://certcycle@db/register?target_session_attrs=any", "'target_session_attrs' is not known"),
    ])
    func badURL(url: String, problem: String) {
        let error = #expect(throws: PostgresOpenError.self) { try PostgresURL(parsing: url) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    @Test("the password comes from CERTCYCLE_DB_PASSWORD_FILE, else the systemd credential db_password, else nowhere")
    func passwordSources() throws {
        let tmp = try TemporaryFolder("password")
        defer { tmp.cleanUp() }
        let file = tmp.path("pw")
        try "from-the-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let credentials = tmp.path("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try "from-systemd\r\n".write(toFile: credentials + "/db_password", atomically: true, encoding: .utf8)
        chmod(credentials + "/db_password", 0o400)

        #expect(try PostgresPassword.resolve(environment: ["CERTCYCLE_DB_PASSWORD_FILE": file])?.password == "from-the-file")
        #expect(try PostgresPassword.resolve(environment: ["CREDENTIALS_DIRECTORY": credentials])?.password == "from-systemd")
        #expect(try PostgresPassword.resolve(environment: ["CERTCYCLE_DB_PASSWORD_FILE": file, "CREDENTIALS_DIRECTORY": credentials])?.password == "from-the-file")
        #expect(try PostgresPassword.resolve(environment: ["CREDENTIALS_DIRECTORY": tmp.path("none")]) == nil)
        #expect(try PostgresPassword.resolve(environment: [:]) == nil)
    }

    @Test("a password file readable by everyone, empty or missing is refused")
    func badPasswordFiles() throws {
        let tmp = try TemporaryFolder("password")
        defer { tmp.cleanUp() }
        let open = tmp.path("open")
        try "secret-value\n".write(toFile: open, atomically: true, encoding: .utf8)
        chmod(open, 0o644)
        let empty = tmp.path("empty")
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        chmod(empty, 0o600)
        for (path, problem) in [(open, "readable by every user"), (empty, "is empty"), (tmp.path("missing"), "cannot read")] {
            let error = #expect(throws: PostgresOpenError.self) { try PostgresPassword.resolve(environment: ["CERTCYCLE_DB_PASSWORD_FILE": path]) }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("secret-value") == false)
        }
    }
}
