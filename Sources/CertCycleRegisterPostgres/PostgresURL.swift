import Foundation

/// A `postgres://USER@HOST:PORT/DB?sslmode=…` register URL, parsed.
///
/// The URL never carries the password: one found in it (`USER:PASSWORD@`, or a `password`
/// parameter) is refused, so that it cannot end up in shell history, `ps`, unit files or logs.
/// The password comes from a file instead (``PostgresPassword``).
public struct PostgresURL: Sendable, Equatable {
    /// How TLS is used, with libpq's names and meanings.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// TLS when the server offers it, else plain; the certificate is not checked. The default.
        case prefer
        /// TLS or nothing; the certificate is not checked (encryption against eavesdropping only).
        case require
        /// TLS, and the certificate must chain to `sslrootcert` (or the system's roots).
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host of the URL.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// PEM file of the certificate authorities to trust (verify-ca, verify-full).
    public var sslRootCert: String?
    /// Seconds to wait for the server to answer a connection.
    public var connectTimeout: Int

    public static let defaultPort = 5432
    static let parameters = ["sslmode", "sslrootcert", "connect_timeout"]

    public init(user: String, host: String, port: Int = defaultPort, database: String, sslMode: SSLMode = .prefer,
                sslRootCert: String? = nil, connectTimeout: Int = 10) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.connectTimeout = connectTimeout
    }

    /// Parses `postgres://` or `postgresql://` URLs. Errors name the part that is wrong and
    /// never repeat the URL, which may hold a password.
    public init(parsing url: String) throws(PostgresOpenError) {
        var rest: Substring
        if url.hasPrefix("postgres://") {
            rest = url.dropFirst("postgres://".count)
        } else if url.hasPrefix("postgresql://") {
            rest = url.dropFirst("postgresql://".count)
        } else {
            throw PostgresOpenError(.configuration, "a PostgreSQL register URL starts with postgres:// or postgresql://")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "" : rest[rest.index(after: slash)...]

        var hostPart = authority
        var userPart: Substring = ""
        if let at = authority.lastIndex(of: "@") {
            userPart = authority[..<at]
            hostPart = authority[authority.index(after: at)...]
        }
        if userPart.contains(":") {
            throw PostgresOpenError.passwordInURL
        }
        guard let user = Self.decode(userPart), !user.isEmpty else {
            throw PostgresOpenError(.configuration, "the register URL names no user: use postgres://USER@HOST:PORT/DATABASE")
        }

        var host: String
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw PostgresOpenError(.configuration, "the register URL's IPv6 host is missing its closing ]")
            }
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw PostgresOpenError(.configuration, "the register URL has text after its IPv6 host")
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            portText = hostPart[hostPart.index(after: colon)...]
        } else {
            host = String(hostPart)
        }
        host = Self.decode(Substring(host)) ?? host
        guard !host.isEmpty else {
            throw PostgresOpenError(.configuration, "the register URL names no host: use postgres://USER@HOST:PORT/DATABASE")
        }
        var port = Self.defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw PostgresOpenError(.configuration, "the register URL's port '\(portText)' is not a port number (1–65535)")
            }
            port = number
        }
        guard let database = Self.decode(path), !database.isEmpty, !database.contains("/") else {
            throw PostgresOpenError(.configuration, "the register URL names no database: use postgres://USER@HOST:PORT/DATABASE")
        }
        self.init(user: user, host: host, port: port, database: database)

        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pair[0]) ?? String(pair[0])
            let value = pair.count > 1 ? Self.decode(pair[1]) ?? String(pair[1]) : ""
            switch name {
            case "password":
                throw PostgresOpenError.passwordInURL
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw PostgresOpenError(.configuration, "sslmode=\(value) is not known: use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCert = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw PostgresOpenError(.configuration, "connect_timeout=\(value) is not a number of seconds")
                }
                connectTimeout = seconds
            default:
                throw PostgresOpenError(.configuration, "the register URL's parameter '\(name)' is not known (known: \(Self.parameters.joined(separator: ", ")))")
            }
        }
    }

    /// The URL as messages and logs show it: it cannot hold a password, and parameters are left out.
    public var display: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The full URL, parameters included (still without a password).
    public var string: String {
        var parameters: [String] = []
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCert { parameters.append("sslrootcert=\(Self.encode(sslRootCert))") }
        if connectTimeout != 10 { parameters.append("connect_timeout=\(connectTimeout)") }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(Self.encode(user))@\(shownHost):\(port)/\(Self.encode(database))"
            + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// The same server and settings, another database.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    static func decode(_ text: Substring) -> String? {
        String(text).removingPercentEncoding
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/?&="))) ?? text
    }
}

/// Where the password of the register's PostgreSQL user comes from. Never from the URL, the
/// command line or a plain environment variable (all visible to other users through `ps` or
/// `/proc`, and copied into logs); always from a file:
/// 1. the file named by `CERTCYCLE_DB_PASSWORD_FILE`, else
/// 2. the systemd credential `db_password`: `$CREDENTIALS_DIRECTORY/db_password`
///    (`LoadCredential=db_password:/etc/certcycle/db_password` in the unit), else
/// 3. none: the server must not ask for one (trust or peer authentication).
/// The file holds the password alone; one trailing newline is ignored. It must not be
/// readable by everyone (mode 0600 or 0640).
public enum PostgresPassword {
    public static let fileVariable = "CERTCYCLE_DB_PASSWORD_FILE"
    public static let credentialName = "db_password"

    /// The password, and the file it came from; nil when none is configured.
    public static func resolve(environment: [String: String]) throws(PostgresOpenError) -> (password: String, source: String)? {
        if let path = environment[fileVariable], !path.isEmpty {
            return (try read(path, variable: "\(fileVariable)=\(path)"), path)
        }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(credentialName).path
            if FileManager.default.fileExists(atPath: path) {
                return (try read(path, variable: "the credential \(credentialName)"), path)
            }
        }
        return nil
    }

    static func read(_ path: String, variable: String) throws(PostgresOpenError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw PostgresOpenError(.configuration, "cannot read the database password file \(path) (\(variable)): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & S_IROTH != 0 {
            throw PostgresOpenError(.configuration, "the database password file \(path) is readable by every user: chmod 600 it (or 640 for a group) and run again")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PostgresOpenError(.configuration, "cannot read the database password file \(path) (\(variable))")
        }
        var text = String(decoding: data, as: UTF8.self)
        // "\r\n" is one Character in Swift, so one removeLast drops either ending.
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else {
            throw PostgresOpenError(.configuration, "the database password file \(path) is empty: write the password into it")
        }
        return text
    }
}
