import CertCycleCore
import CertCycleRegister
import Foundation
import Logging
import PostgresNIO

/// One PostgreSQL connection, used synchronously: the `Register` protocol is synchronous and
/// certcycle is a batch program, so each call sends its statements and blocks the calling
/// thread on the result.
///
/// Why blocking is safe here: the connection's I/O runs on an event loop of the register's own
/// `MultiThreadedEventLoopGroup`, whose threads never call into the register. A waiting caller
/// (the CLI's main thread, a test's thread) therefore can never be the thread its result has to
/// be produced on, which is what makes `EventLoopFuture.wait()` deadlock elsewhere; NIO checks
/// this too and traps instead of hanging. No Swift Concurrency executor is involved, so a caller
/// on a cooperative thread blocks only itself.
///
/// Statements can also be sent without waiting (`send`): postgres-nio queues them on the
/// connection and the server runs them in order, so bulk writes are pipelined and only the
/// last one's answer is waited for.
final class PostgresSession: @unchecked Sendable {
    // @unchecked: the connection is thread-safe (it hops to its event loop); `closed` is only
    // touched under `lock`.
    let connection: PostgresConnection
    let url: PostgresURL
    let logger: Logger
    private let lock = NSLock()
    private var closed = false

    private init(connection: PostgresConnection, url: PostgresURL, logger: Logger) {
        self.connection = connection
        self.url = url
        self.logger = logger
    }

    /// Connects and logs in; the error says what to do when it cannot.
    static func connect(url: PostgresURL, password: (password: String, source: String)?, group: any EventLoopGroup,
                        logger: Logger) throws(PostgresOpenError) -> PostgresSession {
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try tlsSettings(url)
        } catch let error as PostgresOpenError {
            throw error
        } catch {
            throw PostgresOpenError(.configuration, "cannot set up TLS for \(url.display): \(PostgresFailure.reason(error)); check sslrootcert")
        }
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                             password: password?.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(url.connectTimeout))
        configuration.options.additionalStartupParameters = [("application_name", "certcycle")]
        do {
            let connection = try PostgresConnection.connect(on: group.next(), configuration: configuration,
                                                            id: Int.random(in: 1...Int(Int32.max)), logger: logger).wait()
            return PostgresSession(connection: connection, url: url, logger: logger)
        } catch {
            throw PostgresFailure.openError(error, url: url, passwordSource: password?.source)
        }
    }

    static func tlsSettings(_ url: PostgresURL) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable:
            return .disable
        case .prefer, .require:
            // libpq's meaning: encrypted, certificate not checked (unless verify-* is asked for).
            configuration.certificateVerification = .none
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        if let root = url.sslRootCert, url.sslMode == .verifyCA || url.sslMode == .verifyFull {
            guard FileManager.default.isReadableFile(atPath: root) else {
                throw PostgresOpenError(.configuration, "sslrootcert \(root) cannot be read: give the PEM file of the certificate authority that signed the server's certificate")
            }
            configuration.trustRoots = .file(root)
        }
        let context = try NIOSSLContext(configuration: configuration)
        return url.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    // MARK: Statements

    /// Sends a statement without waiting; the server runs statements in the order sent.
    func send(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) -> EventLoopFuture<PostgresQueryResult> {
        connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    /// Runs a statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing what: @autoclosure () -> String = "reading") throws -> PostgresQueryResult {
        do {
            return try send(sql, binds).wait()
        } catch {
            throw PostgresFailure.registerError(error, url: url, doing: what())
        }
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing what: @autoclosure () -> String = "writing") throws -> Int {
        try query(sql, binds, doing: what()).metadata.rows ?? 0
    }

    /// Waits for a statement sent earlier.
    func wait(_ future: EventLoopFuture<PostgresQueryResult>, doing what: @autoclosure () -> String) throws -> PostgresQueryResult {
        do {
            return try future.wait()
        } catch {
            throw PostgresFailure.registerError(error, url: url, doing: what())
        }
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    func transaction<T>(_ begin: String = "BEGIN", doing what: String, _ body: () throws -> T) throws -> T {
        try execute(begin, doing: what)
        let result: T
        do {
            result = try body()
        } catch {
            _ = try? execute("ROLLBACK", doing: "rolling back")
            throw error
        }
        // COMMIT of a transaction in which a statement failed answers ROLLBACK, not an error.
        let tag = try query("COMMIT", doing: what).metadata.command
        guard tag == "COMMIT" else {
            throw RegisterError("PostgreSQL register \(url.display): \(what) was rolled back by the server; nothing was changed. Try again")
        }
        return result
    }

    var isClosed: Bool { connection.isClosed }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        // Waited for (postgres-nio requires a connection to be closed before it is released),
        // except on the connection's own event loop, where waiting would deadlock.
        if connection.eventLoop.inEventLoop {
            connection.close().whenComplete { _ in }
        } else {
            _ = try? connection.close().wait()
        }
    }

    deinit { close() }
}
