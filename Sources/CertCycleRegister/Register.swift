public import CertCycleCore

/// A value of one register cell, independent of the store.
public enum CellValue: Hashable, Sendable {
    case text(String)
    case integer(Int)
    case real(Double)
    case date(CivilDate)

    /// The cell as it is written to a CSV file: dates `YYYY-MM-DD`, numbers without a
    /// trailing `.0`, so export → import gives the same values.
    public var csvText: String {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        case .real(let d): CellValue.format(d)
        case .date(let d): d.description
        }
    }

    public static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }
}

/// The certificate register: where staff's records live. The SQLite store is the embedded
/// default; a shared PostgreSQL store implements the same protocols, and `MemoryRegister` holds
/// one in memory for tests. It is four focused stores (records, ledger, run lock, outbox) and
/// one write transaction over all of them.
public protocol Register: RecordStore, LedgerStore, RunLocking, Outbox, Sendable {
    /// Runs `body` in one write transaction: its writes all land, or (when it throws) none do.
    func write<T>(_ body: (any RegisterWriter) throws -> T) throws -> T
}

/// Staff's records, read: what `import` wrote.
public protocol RecordStore: Sendable {
    /// Calls `body` with every certificate's file, in `cert_no` order, streaming: the register
    /// is never loaded whole.
    func forEachCertificate(_ body: (CertificateFile) throws -> Void) throws

    /// One certificate's file, or nil when there is no such certificate.
    func certificateFile(_ certNo: String) throws -> CertificateFile?

    func appeals() throws -> [Appeal]

    /// Applications found not acceptable (the only ones with an obligation of their own, 6.1.5).
    func notAcceptedApplications() throws -> [Application]

    /// The organisations with these ids (those that exist).
    func organizations(_ ids: Set<String>) throws -> [String: Organization]

    /// Every row of `table` in id order, with values aligned to `table.columns`.
    func forEachRow(of table: RegisterTable, _ body: ([CellValue?]) throws -> Void) throws

    func count(_ table: RegisterTable) throws -> Int
}

/// One nightly run at a time, and the proof that it may write.
public protocol RunLocking: Sendable {
    /// Takes the lock that lets one nightly run work at a time; throws `RunLockHeld` at once,
    /// naming the holder, when another run has it. `holder` describes this run.
    func acquireRunLock(holder: String) throws -> any RunLock

    /// Proves that the register can be written now (permissions, a read-only file or server),
    /// changing nothing: the nightly run checks it before it writes any notice. Throws
    /// `RegisterError` with one line saying what to do.
    func checkWritable() throws
}

/// The ledger, read (it is appended to in a `Register.write` transaction).
public protocol LedgerStore: Sendable {
    /// The latest entry of the ledger, or of one kind of entry.
    func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry?

    /// The latest as-of date whose run completed.
    func lastCompletedDay() throws -> CivilDate?

    /// Which of `keys` the ledger already has entries of `kind` for.
    func ledgerKeys(kind: LedgerKind, among keys: [String]) throws -> Set<String>

    /// The earliest as-of date whose run completed: the day the register was adopted.
    func firstCompletedDay() throws -> CivilDate?

    /// For each of `keys` the ledger has an entry of `kind` for, that entry's as-of date.
    func ledgerDays(kind: LedgerKind, among keys: [String]) throws -> [String: CivilDate]

    /// Every ledger entry in sequence order.
    func forEachLedgerEntry(_ body: (LedgerEntry) throws -> Void) throws
}

/// Reads and writes inside a `Register.write` transaction: what it reads includes the
/// transaction's own writes, so a writer that chains ledger entries or updates an endpoint's
/// state reads what it builds on in the same transaction.
public protocol RegisterWriter {
    func exists(_ table: RegisterTable, id: String) throws -> Bool
    /// The ledger's latest entry, or of one kind, as this transaction sees it.
    func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry?
    /// Every endpoint's state as this transaction sees it.
    func endpointStates() throws -> [String: EndpointState]
    /// Inserts the row, or updates the row with the same id: only the columns given are set,
    /// so a file without an optional column leaves that column as it was.
    func upsert(_ table: RegisterTable, columns: [Int], values: [CellValue?]) throws
    /// Appends to the ledger; fails unless the entry follows the current last one.
    func append(_ entry: LedgerEntry) throws
    /// Adds an event to the outbox (once: an event already there is left as it is) with a
    /// pending delivery for each endpoint that has none yet, due at the event's creation.
    func enqueue(_ event: OutboxEvent, endpoints: [String]) throws
    /// Saves an endpoint's state (synced, disabled) with the rest of the transaction: a new
    /// endpoint's snapshots and its "synced" mark land together or not at all.
    func setEndpointState(_ state: EndpointState) throws
    /// Removes the ledger's entries from `seq` on: its tail only, so what stays is still a
    /// verifiable chain (`certcycle ledger rollback`).
    func removeLedgerEntries(fromSeq seq: Int) throws
    /// Removes every delivery not yet accepted (pending or dead, with its attempts) of the
    /// events effective after `date`, then those events that have no delivery left; events an
    /// endpoint already accepted stay. Counts the events removed and those kept as delivered.
    func removeUndeliveredEvents(effectiveAfter date: CivilDate) throws -> (removed: Int, delivered: Int)
}

/// A failure of the register itself (not of the data put into it).
public struct RegisterError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Anything else (exit 1).
        case failure
        /// No register there: a missing or empty file, or one that is not a certcycle register
        /// (exit 69).
        case unavailable
        /// The file is a register but damaged: SQLite's integrity check fails (exit 65).
        case damaged
    }

    public var kind: Kind
    public var message: String

    public init(_ message: String, kind: Kind = .failure) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// A stored value certcycle could not have written (the register changed outside it): named
    /// by table, row and column, never defaulted to day 0 or some other kind.
    public static func undecodable(table: String, row: String, column: String, value: String, expected: String) -> RegisterError {
        RegisterError("table \(table), row \(shown(row)): \(column) '\(shown(value))' is not \(expected); the register was changed "
            + "outside certcycle: correct that row with `certcycle import` (or restore a backup), then run again", kind: .damaged)
    }

    /// A stored value as an error message may show it: control characters escaped (it reaches
    /// a terminal), at most 60 characters.
    static func shown(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars.prefix(60) {
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return value.unicodeScalars.count > 60 ? out + "…" : out
    }
}
