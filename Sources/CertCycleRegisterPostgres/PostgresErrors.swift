import CertCycleRegister
import Foundation
import PostgresNIO

/// Opening a PostgreSQL register failed: the URL, the password, the server or the network.
/// The kind decides the exit code (see "Operating on PostgreSQL" in README.md); the message is one line that
/// says what to do, and never holds the password.
public struct PostgresOpenError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL, the password file, the user, the database or TLS is wrong: fix the
        /// configuration (exit 78).
        case configuration
        /// The server cannot be reached at all (refused, no route, no answer, unknown host):
        /// exit 69.
        case unreachable
        /// The server answered but cannot take the connection now (starting up, shutting
        /// down, too many connections): try again later (exit 75).
        case busy
        /// Anything else (exit 1).
        case failure
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static let passwordInURL = PostgresOpenError(.configuration, """
        the register URL must not contain a password: remove it from the URL, put it alone in a file only certcycle can read \
        (chmod 600) and set \(PostgresPassword.fileVariable)=PATH, or give it as the systemd credential \(PostgresPassword.credentialName) \
        (LoadCredential=\(PostgresPassword.credentialName):PATH)
        """)
}

/// SQLSTATE codes the store reacts to.
enum SQLState {
    static let uniqueViolation = "23505"
    static let invalidPassword = "28P01"
    static let invalidAuthorization = "28000"
    static let unknownDatabase = "3D000"
    static let tooManyConnections = "53300"
    static let cannotConnectNow = "57P03"
    static let adminShutdown = "57P01"
    static let crashShutdown = "57P02"
    static let lockNotAvailable = "55P03"
    static let queryCanceled = "57014"
}

extension PSQLError {
    var sqlState: String? { serverInfo?[.sqlState] }

    /// The server's own message (never bound values), with the SQLSTATE.
    var serverMessage: String? {
        guard let message = serverInfo?[.message] else { return nil }
        var text = message
        if let detail = serverInfo?[.detail] { text += " (\(detail))" }
        if let state = sqlState { text += " [SQLSTATE \(state)]" }
        return text
    }
}

/// Turns what postgres-nio threw into messages for people. PSQLError's own description is
/// deliberately generic (it may otherwise show bound values); these use the server's message
/// and the kind of failure only.
enum PostgresFailure {
    /// Classifies a failure to connect to `url`.
    static func openError(_ error: any Error, url: PostgresURL, passwordSource: String?) -> PostgresOpenError {
        let server = "\(url.host):\(url.port)"
        if let open = error as? PostgresOpenError { return open }
        guard let psql = error as? PSQLError else {
            return PostgresOpenError(.unreachable, "cannot reach PostgreSQL at \(server) (\(reason(error))): check that the server runs and that host and port in the register URL are right")
        }
        switch psql.code {
        case .server:
            switch psql.sqlState {
            case SQLState.invalidPassword:
                let hint = passwordSource.map { "check the password in \($0)" }
                    ?? "set \(PostgresPassword.fileVariable) to a file holding the password, or give the systemd credential \(PostgresPassword.credentialName)"
                return PostgresOpenError(.configuration, "PostgreSQL at \(server) refused user \(url.user) (wrong password): \(hint)")
            case SQLState.invalidAuthorization:
                return PostgresOpenError(.configuration, "PostgreSQL at \(server) refused user \(url.user): \(psql.serverMessage ?? "not allowed"); check pg_hba.conf and the user's rights")
            case SQLState.unknownDatabase:
                return PostgresOpenError(.configuration, "PostgreSQL at \(server) has no database \(url.database): create it (CREATE DATABASE \(url.database) OWNER \(url.user)) or fix the register URL")
            case SQLState.tooManyConnections, SQLState.cannotConnectNow, SQLState.adminShutdown, SQLState.crashShutdown:
                return PostgresOpenError(.busy, "PostgreSQL at \(server) cannot take a connection now (\(psql.serverMessage ?? "busy")); try again later")
            default:
                return PostgresOpenError(.failure, "PostgreSQL at \(server) refused the connection: \(psql.serverMessage ?? "no reason given")")
            }
        case .authMechanismRequiresPassword:
            return PostgresOpenError(.configuration, "PostgreSQL at \(server) asks user \(url.user) for a password and none is set: put it alone in a file (chmod 600) and set \(PostgresPassword.fileVariable)=PATH, or give the systemd credential \(PostgresPassword.credentialName)")
        case .unsupportedAuthMechanism, .saslError:
            return PostgresOpenError(.configuration, "PostgreSQL at \(server) asks for an authentication method certcycle cannot use: allow scram-sha-256 or md5 for user \(url.user) in pg_hba.conf")
        case .sslUnsupported:
            return PostgresOpenError(.configuration, "PostgreSQL at \(server) does not offer TLS, and the register URL has sslmode=\(url.sslMode.rawValue): enable ssl on the server, or use sslmode=disable on a trusted network only")
        case .failedToAddSSLHandler:
            return PostgresOpenError(.configuration, "cannot set up TLS to PostgreSQL at \(server): check sslrootcert and sslmode in the register URL")
        case .connectionError:
            if let underlying = psql.underlying, isTLSFailure(underlying) {
                return PostgresOpenError(.configuration, "TLS with PostgreSQL at \(server) failed (\(reason(underlying))): with sslmode=\(url.sslMode.rawValue) the server's certificate must chain to \(url.sslRootCert ?? "the system's trusted roots")\(url.sslMode == .verifyFull ? " and name \(url.host)" : "")")
            }
            return PostgresOpenError(.unreachable, "cannot reach PostgreSQL at \(server) (\(psql.underlying.map(reason) ?? "connection failed")): check that the server runs and that host and port in the register URL are right")
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return PostgresOpenError(.unreachable, "PostgreSQL at \(server) closed the connection while it was being set up: check the server's log; try again later")
        default:
            return PostgresOpenError(.failure, "cannot open the register at \(url.display): \(psql.code)")
        }
    }

    /// A failure after the connection was set up, as a `RegisterError`.
    static func registerError(_ error: any Error, url: PostgresURL, doing what: String) -> RegisterError {
        if let registerError = error as? RegisterError { return registerError }
        guard let psql = error as? PSQLError else {
            if error is PostgresDecodingError {
                return RegisterError("PostgreSQL register \(url.display): unexpected data while \(what): \((error as? PostgresDecodingError)?.columnName ?? "?") has the wrong type; was the schema changed by hand?")
            }
            return RegisterError("PostgreSQL register \(url.display): \(what) failed: \(reason(error))")
        }
        switch psql.code {
        case .server:
            return RegisterError("PostgreSQL register \(url.display): \(what) failed: \(psql.serverMessage ?? "no reason given")")
        case .serverClosedConnection, .uncleanShutdown, .connectionError, .clientClosedConnection:
            return RegisterError("PostgreSQL register \(url.display): lost the connection while \(what); nothing of the unfinished transaction was kept. Try again")
        default:
            return RegisterError("PostgreSQL register \(url.display): \(what) failed: \(psql.code)")
        }
    }

    static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || String(describing: type(of: error)).contains("SSL")
    }

    /// A short reason, from the error's kind; never a URL or a bound value.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty { return "host name not found" }
            if let first = error.connectionErrors.first { return reason(first.error) }
            return "cannot connect"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as ChannelError:
            if case .connectTimeout(let amount) = error { return "no answer within \(amount.nanoseconds / 1_000_000_000) s" }
            return "\(error)"
        case let error as SocketAddressError:
            if case .unknown = error { return "host name not found" }
            return "bad address"
        case let error as NIOSSLError:
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return "the server's certificate is not trusted" }
            if case .handshakeFailed = error { return "handshake failed" }
            return "TLS error"
        case let error as NIOSSLExtraError:
            if error == .failedToValidateHostname { return "the server's certificate does not name this host" }
            return "TLS error"
        case let error as PSQLError:
            return error.serverMessage ?? error.underlying.map(reason) ?? "\(error.code)"
        default:
            return "\(error)"
        }
    }
}
