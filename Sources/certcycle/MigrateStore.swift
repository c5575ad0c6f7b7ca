import ArgumentParser
import CertCycleConfig
import CertCycleRegister
import CertCycleRegisterPostgres
import Foundation

struct MigrateStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the whole register from one store to another (e.g. SQLite to PostgreSQL).",
        discussion: """
        Copies every register table, the ledger (entry by entry, so `ledger verify` still passes on \
        the target) and the outbox (events, deliveries with their state, attempts, endpoints) from FROM \
        into TO, in one transaction: TO gets all of it or nothing. TO must be empty (a new SQLite file \
        or a new PostgreSQL database); a non-empty TO is refused (exit 64). FROM is only read. Stop \
        the timers while it runs, so that no run writes to FROM meanwhile. The notice folders are \
        files: they stay where they are.
        """
    )

    @OptionGroup var common: UnusedCommonOptions
    @Argument(help: ArgumentHelp("The register to copy: sqlite:PATH or postgres://USER@HOST:PORT/DB.", valueName: "from"))
    var from: String

    @Argument(help: ArgumentHelp("The empty register to copy into: sqlite:PATH or postgres://USER@HOST:PORT/DB.", valueName: "to"))
    var to: String

    func run() throws {
        try runReporting {
            // A wrong target URL (a password in it) is a configuration error, whatever the source.
            if case .postgres(let url) = try DatabaseLocation(to) { _ = try PostgresURL(parsing: url) }
            // The source must be a register already, and whole: never made, never copied damaged.
            let source = try Self.store(from, mode: .existingChecked)
            let target = try Self.store(to, mode: .create)
            let started = Date()
            let copied = try {
                let terminal = TerminalProgress()
                defer { terminal.finish() }
                return try RegisterTransfer.copy(from: source, to: target, progress: terminal.reporting)
            }()
            for (table, rows) in copied {
                print("\(table): \(rows) rows")
            }
            print(String(format: "copied the register into %@ in %.1f s; check it with: certcycle ledger verify --db %@",
                         Self.shown(to), Date().timeIntervalSince(started), Self.shown(to)))
        }
    }

    /// Opens one side: an SQLite file in `mode` (the target is created, with its schema, when
    /// missing), or a PostgreSQL database (its schema brought up to date).
    static func store(_ url: String, mode: SQLiteRegister.OpenMode) throws -> any TableStore {
        switch try DatabaseLocation(url) {
        case .sqlite(let path): try SQLiteRegister(path: path, mode: mode)
        case .postgres(let url): try openPostgresRegister(url)
        }
    }

    /// The URL as it may be printed: a PostgreSQL URL never holds a password (it is refused).
    static func shown(_ url: String) -> String {
        (try? PostgresURL(parsing: url))?.string ?? url
    }
}

/// Opens a `postgres://` register for the CLI. A failure says its own exit code (`PostgresOpenError`):
/// 78 for a wrong URL, password, user, database or TLS setting; 69 when the server cannot be
/// reached; 75 when it answers but cannot take a connection now; 1 otherwise.
func openPostgresRegister(_ url: String) throws -> PostgresRegister {
    try PostgresRegister(url: url)
}
